// `run --max-jobs N` and `run --until-empty`: the host ends by itself with
// exit code 0, and leaves the server as a terminate would: results
// delivered, nothing reserved, no connection of its wid left open.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostProcess;
using faktory_host::testing::HostRig;

namespace {

// Nothing reserved and every worker's connections closed.
bool left_clean(HostRig& rig) {
    if (rig.stats_array("working")->size() != 0) return false;
    const auto workers = rig.stats_array("workers");
    for (std::size_t i = 0; i < workers->size(); ++i)
        if (workers->getObject(i)->getValue<int>("connections") != 0) return false;
    return true;
}

} // namespace

BOOST_AUTO_TEST_CASE(max_jobs_1_fetches_and_runs_a_single_job_then_exits_0) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 4\n");  // four threads, yet only one job may be fetched
    for (int i = 0; i < 3; ++i) rig.push("Succeed");
    auto& host = rig.start_host({"--max-jobs", "1"});
    BOOST_TEST(host.wait_for_exit(20s) == 0, host.output());
    BOOST_TEST(rig.processed() == 1);
    BOOST_TEST(rig.queue_size("default") == 2);
    BOOST_TEST(left_clean(rig), rig.server().stats_json());
}

BOOST_AUTO_TEST_CASE(max_jobs_counts_failed_jobs_too_and_never_reserves_more_than_n) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 3\n");
    for (int i = 0; i < 4; ++i) {
        rig.push("Succeed");
        rig.push("Raise");
    }
    auto& host = rig.start_host({"--max-jobs", "5"});
    BOOST_TEST(host.wait_for_exit(20s) == 0, host.output());
    BOOST_TEST(rig.processed() == 5);
    BOOST_TEST(rig.queue_size("default") == 3);
    BOOST_TEST(left_clean(rig), rig.server().stats_json());
}

BOOST_AUTO_TEST_CASE(until_empty_waits_for_running_jobs_then_exits_0_once_the_queues_stay_empty) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 2\n  queues: [default, low]\n");
    const auto gate = rig.path("gate");
    const auto trace = rig.path("trace");
    const auto started = rig.path("started");
    rig.push("WaitForFile", "[" + HostRig::quoted(gate) + "," + HostRig::quoted(trace) + ",\"held\"," +
                                HostRig::quoted(started) + "]");
    rig.push("Succeed", "[]", "low");
    auto& host = rig.start_host({"--until-empty"});
    BOOST_REQUIRE(eventually([&] { return std::filesystem::exists(started) && rig.processed() == 1; }, 15s));

    // The queues are empty now, but a job still runs: well past the 5 s grace, the host is still there.
    BOOST_TEST(host.wait_for_exit(8s) == HostProcess::still_running, host.output());
    std::ofstream(gate.string()) << "go";
    BOOST_TEST(host.wait_for_exit(20s) == 0, host.output());
    BOOST_TEST(rig.processed() == 2);
    BOOST_TEST(HostRig::lines(trace) == std::vector<std::string>{"1.0.0 default held"});
    BOOST_TEST(left_clean(rig), rig.server().stats_json());
    BOOST_TEST(host.output().find("--until-empty: every queue served stayed empty") != std::string::npos,
               host.output());
}

BOOST_AUTO_TEST_CASE(max_jobs_must_be_a_positive_number) {
    HostRig rig;
    const auto zero = rig.run_command({"--max-jobs", "0"});
    BOOST_TEST(zero.exit_code == 2);
    BOOST_TEST(zero.output.find("--max-jobs must be at least 1") != std::string::npos, zero.output);
    BOOST_TEST(rig.run_command({"--max-jobs", "many"}).exit_code == 2);
}
