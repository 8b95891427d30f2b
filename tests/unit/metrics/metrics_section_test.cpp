// The metrics: section: off unless listen is given, loopback unless a host
// is written, health_grace as a duration.
#include <boost/test/unit_test.hpp>

#include "config/config.hpp"

using namespace faktory_host::config;

BOOST_AUTO_TEST_CASE(no_listener_unless_configured_and_a_thirty_second_grace) {
    const auto config = parse_config("worker: {}\n", "test.yaml");
    BOOST_TEST(!config.metrics.listen.has_value());
    BOOST_TEST(config.metrics.health_grace.count() == 30000);
}

BOOST_AUTO_TEST_CASE(a_bare_port_listens_on_loopback_and_a_written_host_is_kept) {
    BOOST_TEST(*parse_config("metrics: { listen: 9419 }\n", "t.yaml").metrics.listen == "127.0.0.1:9419");
    BOOST_TEST(*parse_config("metrics: { listen: \":9419\" }\n", "t.yaml").metrics.listen == "127.0.0.1:9419");
    BOOST_TEST(*parse_config("metrics: { listen: \"0.0.0.0:9419\" }\n", "t.yaml").metrics.listen == "0.0.0.0:9419");
    BOOST_TEST(parse_config("metrics: { health_grace: 5s }\n", "t.yaml").metrics.health_grace.count() == 5000);
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_file_line_and_key) {
    auto message = [](const std::string& yaml) {
        try {
            parse_config(yaml, "t.yaml");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    BOOST_TEST(message("metrics:\n  listen: \"host:99999\"\n").find("t.yaml:2:11: metrics.listen: expected host:port") == 0,
               message("metrics:\n  listen: \"host:99999\"\n"));
    BOOST_TEST(message("metrics:\n  health_grace: 0s\n").find("metrics.health_grace: must be longer than 0") !=
               std::string::npos);
    BOOST_TEST(message("metrics:\n  listn: 1\n").find("did you mean 'listen'") != std::string::npos);
}
