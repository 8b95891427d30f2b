// What operators and packagers see of the binary: --version names the
// versions it runs with, and worker.hostname is what the server is told in
// HELLO (the machine's host name when not set).
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <regex>

#include <Poco/Environment.h>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

namespace {

std::string hostname_of_the_only_worker(HostRig& rig) {
    const auto workers = rig.stats_array("workers");
    if (!workers || workers->size() != 1) return "";
    return workers->getObject(0)->getValue<std::string>("hostname");
}

} // namespace

BOOST_AUTO_TEST_CASE(version_names_the_host_the_plugin_abi_and_the_libraries_it_runs_with) {
    HostRig rig;
    const auto result = rig.run_command({"--version"});
    BOOST_TEST(result.exit_code == 0, result.output);
    for (const auto* pattern : {"^faktory-host [0-9]+\\.[0-9]+\\.[0-9]+$", "^plugin ABI +1\\.[0-9]+$",
                                "^Poco +1\\.[0-9]+\\.[0-9]+$", "^yaml-cpp +[0-9]+\\.[0-9]+\\.[0-9]+$",
                                "^OpenSSL +OpenSSL [0-9]+\\.[0-9]+\\.[0-9]+.*$"}) {
        BOOST_TEST(std::regex_search(result.output, std::regex(pattern, std::regex::multiline)),
                   pattern << " in:\n" << result.output);
    }
}

BOOST_AUTO_TEST_CASE(worker_hostname_is_what_the_server_is_told_and_defaults_to_the_machines) {
    {
        HostRig rig;
        rig.install_plugin(fixture_plugin("v1"));
        rig.write_config("  concurrency: 1\n  hostname: billing-worker-7\n");
        auto& host = rig.start_host();
        BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());
        BOOST_TEST(hostname_of_the_only_worker(rig) == "billing-worker-7");
        host.send(SIGTERM);
        BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
    }
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 1\n");
    auto& host = rig.start_host();
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());
    BOOST_TEST(hostname_of_the_only_worker(rig) == Poco::Environment::nodeName());
    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(an_empty_worker_hostname_is_a_config_error_naming_the_line) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  hostname: \"\"\n");
    const auto result = rig.run_command({"check", "--config", rig.path("faktory-host.yaml").string()});
    BOOST_TEST(result.exit_code == 1);
    BOOST_TEST(result.output.find("worker.hostname: must not be empty") != std::string::npos, result.output);
}
