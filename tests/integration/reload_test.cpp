// Hot reload of the real process: a quiet from the dev server's control port
// (as an operator's Quiet button) or SIGHUP loads the plugins directory and
// the configuration file again and comes back under a new wid at once, while
// a running job finishes on the code it started with; a broken deploy leaves
// the previous code serving, an invalid file the running configuration.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

namespace {

bool has_line(const std::filesystem::path& file, const std::string& line) {
    const auto lines = HostRig::lines(file);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string record_args(const std::filesystem::path& trace, const std::string& text) {
    return "[" + HostRig::quoted(trace) + ",\"" + text + "\"]";
}

} // namespace

BOOST_AUTO_TEST_CASE(a_quiet_reloads_at_once_short_jobs_complete_on_v2_while_a_long_job_finishes_on_v1) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();  // two processors
    auto& host = rig.start_host();
    const auto old_wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!old_wid.empty(), rig.diagnostics());

    const auto gate = rig.path("gate");
    const auto trace = rig.path("trace");
    const auto started = rig.path("started");
    const auto long_job = rig.push("WaitForFile", "[" + HostRig::quoted(gate) + "," + HostRig::quoted(trace) +
                                                      ",\"long-on-v1\"," + HostRig::quoted(started) + "]");
    // The handler holds it on v1 (a reservation alone could still be in flight).
    BOOST_REQUIRE(eventually([&] { return std::filesystem::exists(started); }));

    rig.install_plugin(fixture_plugin("v2"));  // deployed while v1 is busy
    BOOST_TEST(rig.control(old_wid, "quiet") == 200);
    // The next BEAT reply carries the quiet; the new wid comes without waiting for the long job.
    const auto new_wid = rig.wait_for_worker("running", old_wid);
    BOOST_REQUIRE_MESSAGE(!new_wid.empty(), rig.diagnostics());
    BOOST_TEST(rig.working(long_job));

    // Short jobs keep completing under the new wid, on v2, while the long one still runs.
    for (int i = 0; i < 5; ++i) rig.push("Record", record_args(trace, "short-" + std::to_string(i)));
    BOOST_TEST(eventually([&] { return rig.processed() == 5; }), rig.diagnostics());
    for (int i = 0; i < 5; ++i) BOOST_TEST(has_line(trace, "2.0.0 default short-" + std::to_string(i)));
    BOOST_TEST(rig.working(long_job));
    BOOST_TEST(rig.worker_state(old_wid) == "quiet");  // its busy processor still holds a connection

    std::ofstream(gate.string()) << "go";
    BOOST_TEST(eventually([&] { return rig.processed() == 6; }), rig.diagnostics());
    BOOST_TEST(has_line(trace, "1.0.0 default long-on-v1"));  // finished on the code it started with
    // The old wid is gone from the server once its last job is delivered.
    BOOST_TEST(eventually([&] { return rig.worker_state(old_wid).empty(); }), rig.diagnostics());
    BOOST_TEST(HostRig::lines(trace).size() == 6u);  // each job ran once
    BOOST_TEST(rig.stats_array("retries")->size() == 0u);
    BOOST_TEST(rig.stats_array("dead")->size() == 0u);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(sighup_with_a_broken_plugin_comes_back_under_a_new_wid_with_v2_still_serving) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v2"));
    rig.write_config();
    auto& host = rig.start_host();
    const auto old_wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!old_wid.empty(), rig.diagnostics());

    rig.install_plugin(fixture_plugin("broken"));
    host.send(SIGHUP);
    const auto new_wid = rig.wait_for_worker("running", old_wid);
    BOOST_REQUIRE_MESSAGE(!new_wid.empty(), rig.diagnostics());
    BOOST_TEST(host.output().find("broken on purpose") != std::string::npos, host.output());

    const auto trace = rig.path("trace");
    rig.push("Record", record_args(trace, "after-broken-deploy"));
    BOOST_TEST(eventually([&] { return has_line(trace, "2.0.0 default after-broken-deploy"); }), rig.diagnostics());
    BOOST_TEST(rig.stats_array("retries")->size() == 0u);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

namespace {

std::string tagged_config(const HostRig& rig, const std::string& tag, const std::string& concurrency) {
    return "faktory:\n  url: " + const_cast<HostRig&>(rig).url() + "\n"
           "worker:\n  concurrency: " + concurrency + "\n  queues: [default]\n  shutdown_timeout: 2s\n"
           "plugins:\n  dir: " + rig.plugins_dir().string() + "\n  config:\n    host-fixture:\n      tag: " + tag + "\n"
           "log:\n  level: debug\n";
}

} // namespace

BOOST_AUTO_TEST_CASE(sighup_rereads_the_config_file_plugin_blocks_take_effect_and_restart_keys_are_named) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_file("faktory-host.yaml", tagged_config(rig, "one", "2"));
    auto& host = rig.start_host();
    const auto old_wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!old_wid.empty(), rig.diagnostics());
    const auto trace = rig.path("trace");
    rig.push("RecordTag", "[" + HostRig::quoted(trace) + "]");
    BOOST_REQUIRE_MESSAGE(eventually([&] { return has_line(trace, "1.0.0 default tag=one"); }), rig.diagnostics());

    rig.write_file("faktory-host.yaml", tagged_config(rig, "two", "3"));
    host.send(SIGHUP);
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker("running", old_wid).empty(), rig.diagnostics());
    rig.push("RecordTag", "[" + HostRig::quoted(trace) + "]");
    BOOST_TEST(eventually([&] { return has_line(trace, "1.0.0 default tag=two"); }), rig.diagnostics());
    const auto log = host.output();
    BOOST_TEST(log.find("worker.concurrency/queues/pools changed in the configuration file; it needs a restart") !=
                   std::string::npos, log);
    BOOST_TEST(log.find("plugins.config changed in the configuration file") != std::string::npos, log);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(sighup_with_an_invalid_config_file_keeps_the_running_configuration) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_file("faktory-host.yaml", tagged_config(rig, "one", "2"));
    auto& host = rig.start_host();
    const auto old_wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!old_wid.empty(), rig.diagnostics());

    auto broken = tagged_config(rig, "two", "2");
    broken.replace(broken.find("concurrency: 2"), 14, "concurrency: lots");
    rig.write_file("faktory-host.yaml", broken);
    host.send(SIGHUP);
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker("running", old_wid).empty(), rig.diagnostics());
    const auto trace = rig.path("trace");
    rig.push("RecordTag", "[" + HostRig::quoted(trace) + "]");
    BOOST_TEST(eventually([&] { return has_line(trace, "1.0.0 default tag=one"); }), rig.diagnostics());
    const auto log = host.output();
    BOOST_TEST(log.find("the configuration file is not valid, the running configuration stays in force") !=
                   std::string::npos, log);
    BOOST_TEST(log.find("faktory-host.yaml:4:16: worker.concurrency") != std::string::npos, log);  // where, exactly

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(sighup_while_quiet_says_why_and_keeps_the_wid) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    auto& host = rig.start_host();
    const auto wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!wid.empty(), rig.diagnostics());
    host.send(SIGTSTP);
    BOOST_REQUIRE(eventually([&] { return host.output().find("fetches nothing more until terminated") != std::string::npos; }));
    host.send(SIGHUP);
    BOOST_TEST(eventually([&] { return host.output().find("no reload (") != std::string::npos; }), host.output());
    BOOST_TEST(host.output().find("stays quiet until terminated") != std::string::npos, host.output());
    BOOST_TEST(!rig.worker_state(wid).empty());  // still the same worker
    BOOST_TEST(host.output().find("reload: wid") == std::string::npos, host.output());

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}
