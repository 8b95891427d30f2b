// faktory-host processing jobs from the dev server: pools with their own
// queues, weighted queue order, and FAILs carrying errtype and message.
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

BOOST_AUTO_TEST_CASE(each_pool_fetches_only_from_its_own_queues) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config(
        "  pools:\n"
        "    - name: urgent\n      concurrency: 1\n      queues: [critical]\n"
        "    - name: bulk\n      concurrency: 1\n      queues: [low]\n");
    auto& host = rig.start_host();
    BOOST_REQUIRE(!rig.wait_for_worker().empty());

    // Occupy the urgent pool's only thread; the next critical job must wait for
    // it, because the bulk pool does not take from `critical`.
    const auto gate = rig.path("gate");
    const auto trace = rig.path("trace");
    const auto blocker = rig.push("WaitForFile",
                                  "[" + HostRig::quoted(gate) + "," + HostRig::quoted(trace) + ",\"blocker\"]",
                                  "critical");
    BOOST_REQUIRE(eventually([&] { return rig.working(blocker); }));
    rig.push("Record", "[" + HostRig::quoted(trace) + ",\"second-critical\"]", "critical");
    for (int i = 0; i < 3; ++i) rig.push("Record", "[" + HostRig::quoted(trace) + ",\"low\"]", "low");

    BOOST_TEST(eventually([&] { return rig.processed() == 3; }), rig.diagnostics());
    BOOST_TEST(rig.queue_size("critical") == 1);  // still waiting for the busy urgent pool

    std::ofstream(gate.string()) << "go";
    BOOST_TEST(eventually([&] { return rig.processed() == 5; }), rig.diagnostics());
    const auto lines = HostRig::lines(trace);
    BOOST_TEST(std::count(lines.begin(), lines.end(), "1.0.0 low low") == 3);
    BOOST_TEST(std::count(lines.begin(), lines.end(), "1.0.0 critical blocker") == 1);
    BOOST_TEST(std::count(lines.begin(), lines.end(), "1.0.0 critical second-critical") == 1);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(weighted_queues_are_fetched_roughly_in_proportion_to_their_weights) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    // One thread, so the trace order is the fetch order.
    rig.write_config("  concurrency: 1\n  weights: { heavy: 3, light: 1 }\n");
    const auto trace = rig.path("trace");
    const int per_queue = 200;
    for (int i = 0; i < per_queue; ++i) {
        rig.push("Record", "[" + HostRig::quoted(trace) + ",\"x\"]", "heavy");
        rig.push("Record", "[" + HostRig::quoted(trace) + ",\"x\"]", "light");
    }
    auto& host = rig.start_host();
    // Judge the first 100 fetches, while both queues are certainly non-empty.
    BOOST_REQUIRE_MESSAGE(eventually([&] { return HostRig::lines(trace).size() >= 100; }, 30s), rig.diagnostics());
    const auto lines = HostRig::lines(trace);
    const auto heavy = std::count(lines.begin(), lines.begin() + 100, "1.0.0 heavy x");
    // Expected 75 (sd ~4.3); strict order would give 100, no weighting 50.
    BOOST_TEST(heavy >= 60);
    BOOST_TEST(heavy <= 90);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(unknown_jobtype_and_throwing_handler_fail_with_errtype_and_message_in_the_retry_set) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    auto& host = rig.start_host();
    const auto unknown = rig.push("NoSuchJobtype");
    const auto raised = rig.push("Raise");
    const auto fine = rig.push("PushSucceed");  // and its pushed Succeed: 2 ACKs

    BOOST_REQUIRE_MESSAGE(eventually([&] { return rig.failure_of(unknown) && rig.failure_of(raised); }),
                          rig.diagnostics());
    const auto unknown_failure = rig.failure_of(unknown);
    BOOST_TEST(!unknown_failure->getValue<std::string>("errtype").empty());
    BOOST_TEST(unknown_failure->getValue<std::string>("message").find("NoSuchJobtype") != std::string::npos,
               unknown_failure->getValue<std::string>("message"));
    const auto raised_failure = rig.failure_of(raised);
    BOOST_TEST(raised_failure->getValue<std::string>("errtype") == "std::invalid_argument");
    BOOST_TEST(raised_failure->getValue<std::string>("message") == "raised on purpose by " + raised);

    BOOST_TEST(eventually([&] { return rig.processed() == 4; }), rig.diagnostics());
    BOOST_TEST(rig.failure_of(fine) == nullptr);
    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}
