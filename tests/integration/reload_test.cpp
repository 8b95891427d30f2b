// Hot reload of the real process: a quiet from the dev server's control port
// (as an operator's Quiet button) or SIGHUP drains running jobs, reloads the
// plugins directory, and comes back under a new wid; a broken deploy leaves
// the previous code serving.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
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

BOOST_AUTO_TEST_CASE(quiet_from_the_control_port_drains_v1_then_v2_serves_under_a_new_wid_and_nothing_is_lost) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    auto& host = rig.start_host();
    const auto old_wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!old_wid.empty(), rig.diagnostics());

    const auto gate = rig.path("gate");
    const auto trace = rig.path("trace");
    const auto running = rig.push("WaitForFile", "[" + HostRig::quoted(gate) + "," + HostRig::quoted(trace) +
                                                     ",\"started-on-v1\"]");
    BOOST_REQUIRE(eventually([&] { return rig.working(running); }));

    rig.install_plugin(fixture_plugin("v2"));  // deployed while v1 is busy
    BOOST_TEST(rig.control(old_wid, "quiet") == 200);
    // The next BEAT reply carries the quiet; the host then drains.
    BOOST_REQUIRE_MESSAGE(
        eventually([&] { return host.output().find("draining wid " + old_wid) != std::string::npos; }, 15s),
        rig.diagnostics());
    // A FETCH already in flight when the drain began may still hand this one
    // to the old generation (as with any Faktory worker); either way it must run.
    rig.push("Record", record_args(trace, "pushed-while-draining"));

    std::ofstream(gate.string()) << "go";
    const auto new_wid = rig.wait_for_worker("running", old_wid);
    BOOST_REQUIRE_MESSAGE(!new_wid.empty(), rig.diagnostics());
    BOOST_TEST(new_wid != old_wid);
    BOOST_TEST(eventually([&] { return rig.processed() == 2; }), rig.diagnostics());
    BOOST_TEST(has_line(trace, "1.0.0 default started-on-v1"));  // finished on the code it started with
    BOOST_TEST((has_line(trace, "1.0.0 default pushed-while-draining") ||
                has_line(trace, "2.0.0 default pushed-while-draining")));

    rig.push("Record", record_args(trace, "later"));
    BOOST_TEST(eventually([&] { return has_line(trace, "2.0.0 default later"); }), rig.diagnostics());
    BOOST_TEST(HostRig::lines(trace).size() == 3u);  // each job ran once
    BOOST_TEST(rig.stats_array("retries")->size() == 0u);
    BOOST_TEST(rig.stats_array("dead")->size() == 0u);
    BOOST_TEST(rig.queue_size("default") == 0);

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
