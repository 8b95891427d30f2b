// The `log:` section: Poco level names and text / json format.
#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "config_error.hpp"

using namespace faktory_host::config;
using faktory_host::config::testing::config_error;

BOOST_AUTO_TEST_SUITE(log_section)

BOOST_AUTO_TEST_CASE(every_poco_level_name_is_accepted) {
    for (const std::string level : {"trace", "debug", "information", "notice", "warning", "error", "critical",
                                    "fatal"})
        BOOST_TEST(parse_config("log: { level: " + level + " }", "h.yaml").log.level == level);
}

BOOST_AUTO_TEST_CASE(an_unknown_level_lists_the_valid_ones) {
    BOOST_TEST(config_error("log:\n  level: info\n") ==
               "/etc/fh/host.yaml:2:10: log.level: expected one of trace, debug, information, notice, warning, "
               "error, critical, fatal; got 'info'");
}

BOOST_AUTO_TEST_CASE(format_is_text_or_json) {
    BOOST_TEST((parse_config("log: { format: json }", "h.yaml").log.format == LogConfig::Format::json));
    BOOST_TEST((parse_config("log: { format: text }", "h.yaml").log.format == LogConfig::Format::text));
    BOOST_TEST(config_error("log: { format: xml }") ==
               "/etc/fh/host.yaml:1:16: log.format: expected 'text' or 'json', got 'xml'");
}

BOOST_AUTO_TEST_SUITE_END()
