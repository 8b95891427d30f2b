// A job's structured log line (log_fields) for a level that is off is dropped
// by the host API before anything is copied or handed on: the services see
// only the lines that will be written.
#include <boost/test/unit_test.hpp>

#include <stop_token>
#include <vector>

#include "fixture_plugins.hpp"
#include "plugins/host_api.hpp"

namespace plugins = faktory_host::plugins;
using faktory_host::testing::job;

BOOST_AUTO_TEST_SUITE(log_level)

BOOST_AUTO_TEST_CASE(log_fields_below_the_level_never_reach_the_services) {
    std::vector<std::string> written;
    plugins::HostServices services;
    services.log_enabled = [](plugins::LogLevel level) { return level >= plugins::LogLevel::warning; };
    services.log_fields = [&](plugins::LogLevel, const plugins::JobInput*, std::string_view, std::string_view message,
                              const std::vector<std::pair<std::string, std::string>>& fields) {
        written.push_back(std::string(message) + " " + fields.at(0).first + "=" + fields.at(0).second);
    };
    const auto input = job("Describe");
    std::stop_source stop;
    const auto token = stop.get_token();
    plugins::JobOutcome outcome;
    faktory_job running(input, token, services, outcome);
    const auto& api = plugins::host_api();
    const char* keys[] = {"size"};
    const char* values[] = {"42"};
    api.log_fields(&running, FAKTORY_LOG_DEBUG, "debug line", keys, values, 1);
    api.log_fields(&running, FAKTORY_LOG_INFO, "info line", keys, values, 1);
    api.log_fields(&running, FAKTORY_LOG_WARNING, "warning line", keys, values, 1);
    BOOST_TEST(written == std::vector<std::string>{"warning line size=42"});
}

BOOST_AUTO_TEST_CASE(without_a_level_check_every_line_goes_through) {
    int written = 0;
    plugins::HostServices services;
    services.log_fields = [&](plugins::LogLevel, const plugins::JobInput*, std::string_view, std::string_view,
                              const std::vector<std::pair<std::string, std::string>>&) { ++written; };
    const auto input = job("Describe");
    std::stop_source stop;
    const auto token = stop.get_token();
    plugins::JobOutcome outcome;
    faktory_job running(input, token, services, outcome);
    plugins::host_api().log_fields(&running, FAKTORY_LOG_DEBUG, "debug line", nullptr, nullptr, 0);
    BOOST_TEST(written == 1);
}

BOOST_AUTO_TEST_SUITE_END()
