// faktory-host's argument parsing: subcommands, option forms, overrides and
// the usage errors a user gets for mistakes.
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "app/command_line.hpp"
#include "app/host_settings.hpp"
#include "app/secret_arguments.hpp"

using faktory_host::app::Command;
using faktory_host::app::parse_command_line;
using faktory_host::app::usage_text;
using faktory_host::app::UsageError;

namespace {

// load_settings without a config file: the overrides over the built-in defaults.
std::string settings_error(const std::vector<std::string>& arguments) {
    const auto line = parse_command_line(arguments);
    try {
        faktory_host::app::load_settings(line);
    } catch (const UsageError& e) {
        return e.what();
    }
    BOOST_FAIL("expected a UsageError");
    return {};
}

} // namespace

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
    BOOST_TEST(*line.overrides.concurrency == "3");
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
    BOOST_CHECK_THROW(parse_command_line({"stray"}), UsageError);
    BOOST_CHECK_THROW(parse_command_line({"check", "--type", "X"}), UsageError);  // push-only option
}

BOOST_AUTO_TEST_CASE(short_options_take_an_attached_or_a_separate_value) {
    BOOST_TEST(*parse_command_line({"check", "-cx.yaml"}).config_file == "x.yaml");
    BOOST_TEST(*parse_command_line({"-n", "4"}).overrides.concurrency == "4");
    BOOST_TEST(*parse_command_line({"--url=tcp://a:1=b"}).overrides.url == "tcp://a:1=b");  // only the first = splits
}

BOOST_AUTO_TEST_CASE(usage_errors_name_the_option_and_what_is_wrong) {
    const auto error_of = [](std::vector<std::string> arguments) {
        try {
            parse_command_line(arguments);
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    BOOST_TEST(error_of({"--bogus"}) == "unknown option --bogus (see --help)");
    BOOST_TEST(error_of({"-x"}) == "unknown option -x (see --help)");
    BOOST_TEST(error_of({"--conf", "a.yaml"}) == "unknown option --conf (see --help)");  // no guessing from prefixes
    BOOST_TEST(error_of({"--config"}) == "option --config needs a value (see --help)");
    BOOST_TEST(error_of({"--help=yes"}) == "option --help takes no value (see --help)");
    BOOST_TEST(error_of({"run-job", "--type", "X"}) == "unknown option --type (see --help)");
    BOOST_TEST(error_of({"check", "stray"}) == "unexpected argument \"stray\" (see --help)");
}

BOOST_AUTO_TEST_CASE(help_text_lists_each_option_of_the_subcommand_once_within_80_columns) {
    const auto text = usage_text(Command::push);
    BOOST_TEST(text.rfind("usage: faktory-host push --type JOBTYPE", 0) == 0u);
    for (const char* option : {"--help", "--config=FILE", "--url=URL", "--type=JOBTYPE", "--retry=N"})
        BOOST_TEST(text.find(option) != std::string::npos, option);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 80u, line);
}

BOOST_AUTO_TEST_CASE(overrides_meet_the_config_files_rules_and_errors_name_the_option) {
    // The file allows 1..1000 threads; the flag used to skip that check.
    BOOST_TEST(settings_error({"check", "--concurrency", "100000"}) ==
               "--concurrency: expected an integer from 1 to 1000, got '100000'");
    BOOST_TEST(settings_error({"--concurrency", "0"}) == "--concurrency: expected an integer from 1 to 1000, got '0'");
    BOOST_TEST(settings_error({"--concurrency", "many"}) ==
               "--concurrency: expected an integer from 1 to 1000, got 'many'");
    BOOST_TEST(settings_error({"--log-format", "xml"}) == "--log-format: expected 'text' or 'json', got 'xml'");
    BOOST_TEST(settings_error({"--log-level", "loud"}).rfind("--log-level: expected one of trace, debug", 0) == 0u);
    const auto settings = faktory_host::app::load_settings(
        parse_command_line({"--concurrency", "1000", "--log-level", "debug", "--plugins-dir", "p"}));
    BOOST_TEST(settings.worker.pools[0].concurrency == 1000u);
    BOOST_TEST(settings.log.level == "debug");
    BOOST_TEST(settings.plugins.dir == std::filesystem::current_path() / "p");
}

BOOST_AUTO_TEST_CASE(url_passwords_are_overwritten_in_the_argument_memory_itself) {
    std::vector<std::string> texts = {"faktory-host", "--url", "tcp://:s3cret@h:7419", "--url=tcp+tls://:pw@h",
                                      "-utcp://token@h", "--config", "tcp.yaml", "tcp://h:1", "TCP://:Pw@h"};
    std::vector<std::vector<char>> memory;
    std::vector<char*> argv;
    for (const auto& text : texts) memory.emplace_back(text.c_str(), text.c_str() + text.size() + 1);
    for (auto& bytes : memory) argv.push_back(bytes.data());
    BOOST_TEST(faktory_host::app::scrub_url_passwords(static_cast<int>(argv.size()), argv.data()) == 4);
    BOOST_TEST(std::string(argv[2]) == "tcp://:******@h:7419");
    BOOST_TEST(std::string(argv[3]) == "--url=tcp+tls://:**@h");
    BOOST_TEST(std::string(argv[4]) == "-utcp://*****@h");
    BOOST_TEST(std::string(argv[6]) == "tcp.yaml");
    BOOST_TEST(std::string(argv[7]) == "tcp://h:1");
    BOOST_TEST(std::string(argv[8]) == "TCP://:**@h");
    BOOST_TEST(std::strlen(argv[2]) == texts[2].size());  // same length: nothing moves in /proc/<pid>/cmdline
}
