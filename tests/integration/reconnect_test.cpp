// The dev server dropping every connection while a handler runs: the host
// reconnects, delivers the ACK it could not send, and the handler runs once.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

BOOST_AUTO_TEST_CASE(an_ack_lost_to_dropped_connections_arrives_after_reconnect_and_the_handler_ran_once) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 1\n  queues: [default]\n");
    auto& host = rig.start_host();
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());

    const auto gate = rig.path("gate");
    const auto trace = rig.path("trace");
    const auto started = rig.path("started");
    const auto jid = rig.push("WaitForFile", "[" + HostRig::quoted(gate) + "," + HostRig::quoted(trace) +
                                                 ",\"ran\"," + HostRig::quoted(started) + "]");
    // Wait for the handler itself, not just the server's reservation: a drop
    // while the FETCH reply is still in flight would lose the job to the
    // reservation timeout (as with real Faktory), which is not this test's case.
    BOOST_REQUIRE(eventually([&] { return std::filesystem::exists(started); }));
    BOOST_REQUIRE(rig.working(jid));

    // The connection that fetched the job is gone before its ACK can be sent,
    // and for a moment no new one is let in.
    rig.server().refuse_connections_for(500ms);
    rig.server().drop_all_connections();
    std::ofstream(gate.string()) << "go";

    BOOST_TEST(eventually([&] { return rig.processed() == 1; }, 20s), rig.diagnostics());
    BOOST_TEST(!rig.working(jid));
    BOOST_TEST(rig.failure_of(jid) == nullptr);
    BOOST_TEST(HostRig::lines(trace) == std::vector<std::string>{"1.0.0 default ran"});
    // Back to normal: the reconnected host takes new work.
    rig.push("Succeed");
    BOOST_TEST(eventually([&] { return rig.processed() == 2; }), rig.diagnostics());

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}
