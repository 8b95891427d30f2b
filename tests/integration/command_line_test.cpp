// faktory-host's argument parsing: subcommands, option forms, overrides and
// the usage errors a user gets for mistakes.
#include <boost/test/unit_test.hpp>

#include "app/command_line.hpp"

using faktory_host::app::Command;
using faktory_host::app::parse_command_line;
using faktory_host::app::usage_text;
using faktory_host::app::UsageError;

BOOST_AUTO_TEST_CASE(no_arguments_means_run_with_defaults) {
    const auto line = parse_command_line({});
    BOOST_TEST((line.command == Command::run));
    BOOST_TEST(!line.config_file.has_value());
    BOOST_TEST(!line.overrides.url.has_value());
}

BOOST_AUTO_TEST_CASE(options_take_values_with_a_space_or_an_equals_sign) {
    const auto line = parse_command_line({"--config", "a.yaml", "--url=tcp://h:1", "--concurrency", "3",
                                          "--plugins-dir", "p", "--log-level=debug", "--log-format", "json"});
    BOOST_TEST(*line.config_file == "a.yaml");
    BOOST_TEST(*line.overrides.url == "tcp://h:1");
    BOOST_TEST(*line.overrides.concurrency == 3u);
    BOOST_TEST(*line.overrides.plugins_dir == "p");
    BOOST_TEST(*line.overrides.log_level == "debug");
    BOOST_TEST(*line.overrides.log_format == "json");
}

BOOST_AUTO_TEST_CASE(subcommand_comes_first_and_selects_its_options) {
    BOOST_TEST((parse_command_line({"check", "-c", "x.yaml"}).command == Command::check));
    const auto job = parse_command_line({"run-job", "--job", "j.json"});
    BOOST_TEST((job.command == Command::run_job));
    BOOST_TEST(job.job_file == "j.json");
    BOOST_TEST(parse_command_line({"run-job"}).job_file == "-");
}

BOOST_AUTO_TEST_CASE(push_reads_type_args_queue_at_and_retry) {
    const auto line = parse_command_line({"push", "--type", "Hello", "--args", "[1,\"a\"]", "--queue", "low",
                                          "--at", "2030-01-01T00:00:00Z", "--retry", "-1"});
    BOOST_TEST((line.command == Command::push));
    BOOST_TEST(line.push.jobtype == "Hello");
    BOOST_TEST(line.push.args_json == "[1,\"a\"]");
    BOOST_TEST(line.push.queue == "low");
    BOOST_TEST(*line.push.at == "2030-01-01T00:00:00Z");
    BOOST_TEST(*line.push.retry == -1);
}

BOOST_AUTO_TEST_CASE(push_without_a_type_is_a_usage_error) {
    BOOST_CHECK_THROW(parse_command_line({"push", "--args", "[]"}), UsageError);
}

BOOST_AUTO_TEST_CASE(help_stops_parsing_and_is_set_per_subcommand) {
    const auto line = parse_command_line({"push", "--help", "--bogus"});
    BOOST_TEST(line.help);
    BOOST_TEST((line.command == Command::push));
    BOOST_TEST(usage_text(Command::push).find("--type") != std::string::npos);
    BOOST_TEST(usage_text(Command::run).find("--type") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(mistakes_are_usage_errors) {
    BOOST_CHECK_THROW(parse_command_line({"frobnicate"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"--bogus"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"--config"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"--concurrency", "many"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"--concurrency", "0"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"--log-format", "xml"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"stray"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"check", "--type", "X"}), UsageError);  // push-only option
}
