// faktory-host's subcommands as a user runs them: check, run-job, push,
// --help, and how config, URL and password errors are reported.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <boost/test/unit_test.hpp>

#include "harness/host_rig.hpp"
#include "protocol/client.hpp"
#include "support/eventually.hpp"

using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_SUITE(check)

BOOST_AUTO_TEST_CASE(lists_plugin_version_and_jobtypes_and_exits_0_without_a_reachable_server) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto config = rig.write_config();
    rig.server().stop();  // check connects to nothing
    const auto result = rig.run_command({"check", "--config", config.string()});
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(contains(result.output, "host_fixture.so"), result.output);
    BOOST_TEST(contains(result.output, "host-fixture 1.0.0"), result.output);
    BOOST_TEST(contains(result.output, "Succeed"), result.output);
    BOOST_TEST(contains(result.output, "WaitForFile"), result.output);
    BOOST_TEST(contains(result.output, config.string()), result.output);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_fails_to_load_is_named_and_exits_1) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.install_plugin(fixture_plugin("broken"), "broken_fixture.so");
    const auto result = rig.run_command({"check", "--config", rig.write_config().string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, "broken_fixture.so"), result.output);
    BOOST_TEST(contains(result.output, "broken on purpose"), result.output);
    BOOST_TEST(contains(result.output, "host-fixture 1.0.0"), result.output);  // the good one is still listed
}

BOOST_AUTO_TEST_CASE(an_empty_plugins_dir_exits_1) {
    HostRig rig;
    const auto result = rig.run_command({"check", "--config", rig.write_config().string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, rig.plugins_dir().string()), result.output);
}

BOOST_AUTO_TEST_CASE(never_prints_the_password_of_the_url) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto result = rig.run_command({"check", "--config", rig.write_config().string(), "--url",
                                         "tcp://:Sup3rS3cret@127.0.0.1:1"});
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(!contains(result.output, "Sup3rS3cret"), result.output);
    BOOST_TEST(contains(result.output, "127.0.0.1:1"), result.output);
}

BOOST_AUTO_TEST_CASE(without_config_flag_reads_faktory_host_yaml_from_the_working_directory) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto config = rig.write_config();  // <dir>/faktory-host.yaml
    const auto result = rig.run_command({"check"});
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(contains(result.output, config.string()), result.output);
}

BOOST_AUTO_TEST_CASE(without_any_config_uses_built_in_defaults_with_plugins_in_the_working_directory) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto result = rig.run_command({"check"}, {}, std::nullopt, rig.dir());  // no faktory-host.yaml there
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(contains(result.output, "(built-in defaults)"), result.output);
    BOOST_TEST(contains(result.output, "tcp://localhost:7419"), result.output);
    BOOST_TEST(contains(result.output, rig.plugins_dir().string()), result.output);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_errors)

BOOST_AUTO_TEST_CASE(an_invalid_config_exits_1_naming_file_line_and_column) {
    HostRig rig;
    const auto config = rig.write_file("bad.yaml", "worker:\n  concurrency: 2\n  heartbeat_intervall: 5s\n");
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"--config", config.string()}, {"check", "--config", config.string()}}) {
        const auto result = rig.run_command(command);
        BOOST_TEST(result.exit_code == 1, result.output);
        BOOST_TEST(contains(result.output, "faktory-host: " + config.string() + ":3:3:"), result.output);
        BOOST_TEST(contains(result.output, "heartbeat_intervall"), result.output);
    }
}

BOOST_AUTO_TEST_CASE(a_missing_config_file_exits_1_naming_it) {
    HostRig rig;
    const auto result = rig.run_command({"check", "--config", rig.path("nope.yaml").string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, "nope.yaml"), result.output);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_and_help_exits_0) {
    HostRig rig;
    BOOST_TEST(rig.run_command({"--no-such-flag"}).exit_code == 2);
    BOOST_TEST(rig.run_command({"frobnicate"}).exit_code == 2);
    for (const char* command : {"check", "run-job", "push"}) {
        const auto help = rig.run_command({command, "--help"});
        BOOST_TEST(help.exit_code == 0, help.output);
        BOOST_TEST(contains(help.output, std::string("faktory-host ") + command), help.output);
    }
    const auto help = rig.run_command({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(contains(help.output, "--config"), help.output);
}

BOOST_AUTO_TEST_CASE(a_concurrency_override_outside_the_files_range_exits_2_naming_the_option) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto result = rig.run_command({"check", "--config", rig.write_config().string(), "--concurrency", "100000"});
    BOOST_TEST(result.exit_code == 2, result.output);
    BOOST_TEST(contains(result.output, "faktory-host: --concurrency: expected an integer from 1 to 1000, got '100000'"),
               result.output);
    BOOST_TEST(!contains(result.output, "OK:"), result.output);
}

BOOST_AUTO_TEST_CASE(hostile_config_values_are_refused_with_file_line_and_column) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto huge_timeout = rig.write_file("timeout.yaml", "worker:\n  shutdown_timeout: 2600000h\n");
    auto result = rig.run_command({"check", "--config", huge_timeout.string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, huge_timeout.string() + ":2:21: worker.shutdown_timeout: must be at most 1h"),
               result.output);

    // Nine levels of ten aliases: 10^9 strings once expanded (1.19 GB and 4.5 s before).
    std::string bomb = "plugins:\n  config:\n    bomb:\n      l0: &l0 lol\n";
    for (int level = 1; level <= 9; ++level) {
        bomb += "      l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
        for (int i = 0; i < 10; ++i) bomb += (i ? ",*l" : "*l") + std::to_string(level - 1);
        bomb += "]\n";
    }
    const auto bomb_file = rig.write_file("bomb.yaml", bomb);
    const auto started = std::chrono::steady_clock::now();
    result = rig.run_command({"check", "--config", bomb_file.string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, bomb_file.string() + ":8:"), result.output);
    BOOST_TEST(contains(result.output, "aliases expand this file beyond 10000 extra nodes"), result.output);
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(10)));

    const auto password = rig.write_file("password", "hunter2\n");  // 0644 by the usual umask
    std::filesystem::permissions(password, std::filesystem::perms::owner_read | std::filesystem::perms::group_read |
                                               std::filesystem::perms::others_read);
    const auto loose = rig.write_file("loose.yaml", "faktory:\n  password_file: password\n");
    result = rig.run_command({"check", "--config", loose.string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, "is readable by group and others (mode 0444); run chmod 600 on it"),
               result.output);
}

BOOST_AUTO_TEST_CASE(a_url_in_the_file_with_a_password_missing_its_colon_is_refused_at_its_position) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto config = rig.write_file("url.yaml", "faktory:\n  url: tcp://Secr3t@127.0.0.1:7419\n");
    const auto result = rig.run_command({"check", "--config", config.string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    const std::string expected = config.string() + ":2:8: faktory.url: invalid Faktory URL "
                                                   "\"tcp://***@127.0.0.1:7419\": the part before '@' has no ':'";
    BOOST_TEST(contains(result.output, expected), result.output);
    BOOST_TEST(!contains(result.output, "Secr3t"), result.output);
}

BOOST_AUTO_TEST_CASE(a_faktory_provider_naming_an_unset_variable_exits_1_naming_it) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto result = rig.run_command({"check", "--config", rig.write_config().string()},
                                        {{"FAKTORY_PROVIDER", "NO_SUCH_FAKTORY_VARIABLE"}});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, "FAKTORY_PROVIDER names NO_SUCH_FAKTORY_VARIABLE, which is not set"),
               result.output);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(run_job)

BOOST_AUTO_TEST_CASE(a_job_its_handler_completes_prints_ack_and_exits_0) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto job = rig.write_file("job.json", R"({"jid":"run-job-ack-1","jobtype":"PushSucceed","args":[]})");
    const auto result = rig.run_command({"run-job", "--config", rig.write_config().string(), "--job", job.string()});
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(contains(result.output, "ACK jid=run-job-ack-1 jobtype=PushSucceed"), result.output);
    // The handler's push is shown, not sent.
    BOOST_TEST(contains(result.output, "push (not sent)"), result.output);
    BOOST_TEST(contains(result.output, "\"jobtype\":\"Succeed\""), result.output);
    BOOST_TEST(rig.queue_size("default") == 0);
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_prints_fail_with_errtype_and_message_and_exits_1) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto job = rig.write_file("job.json", R"({"jid":"run-job-fail-1","jobtype":"Raise","args":[]})");
    // From stdin this time.
    const auto result = rig.run_command({"run-job", "--config", rig.write_config().string()}, {}, job);
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, "FAIL jid=run-job-fail-1 jobtype=Raise errtype=std::invalid_argument: "
                                       "raised on purpose by run-job-fail-1"),
               result.output);
}

BOOST_AUTO_TEST_CASE(an_unknown_jobtype_fails_naming_it) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto job = rig.write_file("job.json", R"({"jid":"run-job-unknown","jobtype":"NoSuchJob","args":[]})");
    const auto result = rig.run_command({"run-job", "--config", rig.write_config().string(), "--job", job.string()});
    BOOST_TEST(result.exit_code == 1, result.output);
    BOOST_TEST(contains(result.output, "FAIL jid=run-job-unknown jobtype=NoSuchJob"), result.output);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(push)

BOOST_AUTO_TEST_CASE(enqueues_the_job_on_the_configured_server_and_prints_its_jid) {
    HostRig rig;
    const auto result = rig.run_command({"push", "--config", rig.write_config().string(), "--type", "Resize",
                                         "--args", R"(["a.png", 300])", "--queue", "images"});
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(rig.queue_size("images") == 1);
    faktory_host::protocol::ClientOptions options;
    options.url = faktory_host::protocol::ServerUrl::parse(rig.url());
    faktory_host::protocol::Client consumer(options);
    consumer.connect();
    const auto job = consumer.fetch({"images"});
    BOOST_REQUIRE(job.has_value());
    BOOST_TEST(job->jobtype() == "Resize");
    BOOST_TEST(job->args_json() == R"(["a.png",300])");
    BOOST_TEST(contains(result.output, job->jid()), result.output);
}

BOOST_AUTO_TEST_CASE(faktory_url_beats_the_config_and_url_flag_beats_both) {
    HostRig rig;
    rig.write_file("unreachable.yaml", "faktory:\n  url: tcp://127.0.0.1:1\n");
    const auto config = rig.path("unreachable.yaml").string();
    const auto by_env = rig.run_command({"push", "--config", config, "--type", "A"}, {{"FAKTORY_URL", rig.url()}});
    BOOST_TEST(by_env.exit_code == 0, by_env.output);
    const auto by_flag = rig.run_command({"push", "--config", config, "--type", "B", "--url", rig.url()},
                                         {{"FAKTORY_URL", "tcp://127.0.0.1:1"}});
    BOOST_TEST(by_flag.exit_code == 0, by_flag.output);
    BOOST_TEST(rig.queue_size("default") == 2);
    const auto by_config = rig.run_command({"push", "--config", config, "--type", "C"});
    BOOST_TEST(by_config.exit_code == 1, by_config.output);
    BOOST_TEST(contains(by_config.output, "127.0.0.1:1"), by_config.output);
}

BOOST_AUTO_TEST_CASE(bad_args_json_is_a_usage_error) {
    HostRig rig;
    const auto result = rig.run_command({"push", "--config", rig.write_config().string(), "--type", "A",
                                         "--args", "{not json"});
    BOOST_TEST(result.exit_code == 2, result.output);
    BOOST_TEST(rig.queue_size("default") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(password)

BOOST_AUTO_TEST_CASE(a_refused_password_is_a_clear_error_that_never_shows_the_password) {
    HostRig rig("right-password");
    rig.install_plugin(fixture_plugin("v1"));
    const auto config = rig.write_config().string();
    const auto wrong_url = "tcp://:Wr0ngPassw0rd@127.0.0.1:" + std::to_string(rig.server().port());

    const auto pushed = rig.run_command({"push", "--config", config, "--url", wrong_url, "--type", "A"});
    BOOST_TEST(pushed.exit_code == 1, pushed.output);
    BOOST_TEST(contains(pushed.output, "password"), pushed.output);
    BOOST_TEST(!contains(pushed.output, "Wr0ngPassw0rd"), pushed.output);

    auto& host = rig.start_host({"--url", wrong_url});
    BOOST_TEST(host.wait_for_exit(std::chrono::seconds(20)) == 1, host.output());
    BOOST_TEST(contains(host.output(), "password"), host.output());
    BOOST_TEST(!contains(host.output(), "Wr0ngPassw0rd"), host.output());

    const auto right_url = "tcp://:right-password@127.0.0.1:" + std::to_string(rig.server().port());
    BOOST_TEST(rig.run_command({"push", "--config", config, "--url", right_url, "--type", "A"}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(a_password_on_the_command_line_is_scrubbed_from_proc_cmdline_with_a_warning) {
    const std::string secret = "Cmd1ineS3cret";
    HostRig rig(secret);
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    const auto url = "tcp://:" + secret + "@127.0.0.1:" + std::to_string(rig.server().port());
    auto& host = rig.start_host({"--url", url});
    // Running with the right password proves the scrub kept a copy for itself.
    BOOST_TEST_REQUIRE(!rig.wait_for_worker().empty(), host.output());
    const auto cmdline = [&] {
        std::ifstream in("/proc/" + std::to_string(host.pid()) + "/cmdline", std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const auto shown = cmdline();
    BOOST_TEST(!contains(shown, secret), shown);
    BOOST_TEST(contains(shown, std::string("tcp://:") + std::string(secret.size(), '*') + "@127.0.0.1"), shown);
    BOOST_TEST(contains(host.output(), "password given on the command line"), host.output());
    BOOST_TEST(contains(host.output(), "faktory.password_file"), host.output());
    BOOST_TEST(!contains(host.output(), secret), host.output());
}

BOOST_AUTO_TEST_SUITE_END()
