// Connections that fail: the dev server dropping every connection while a
// handler runs (the host reconnects, delivers the ACK it could not send, and
// the handler runs once); a server that accepts HELLO and then breaks every
// connection (backoff must grow, one warning per outage); servers that never
// greet or trickle their greeting (SIGTERM must still end the host at once).
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "harness/host_rig.hpp"
#include "harness/scripted_server.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;
using faktory_host::testing::ScriptedServer;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// The host pointed at `server` instead of the rig's dev server; one processor.
faktory_host::testing::HostProcess& start_against(HostRig& rig, const ScriptedServer& server) {
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 1\n  queues: [default]\n");
    return rig.start_host({"--url", server.url()});
}

// SIGTERM once the host has a connection open to `server`; how long until it exited (0).
Clock::duration exit_time_after_sigterm(HostRig& rig, const ScriptedServer& server) {
    auto& host = start_against(rig, server);
    BOOST_REQUIRE_MESSAGE(eventually([&] { return server.accepted() >= 1; }), host.output());
    const auto sent = Clock::now();
    host.send(SIGTERM);
    const int code = host.wait_for_exit(15s);
    const auto took = Clock::now() - sent;
    BOOST_TEST(code == 0, host.output());
    return took;
}

} // namespace

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

BOOST_AUTO_TEST_CASE(a_server_that_breaks_every_connection_after_hello_gets_backoff_and_one_warning) {
    // HELLO succeeds; the first real command (FETCH, BEAT) finds the connection closed.
    ScriptedServer server([](Poco::Net::StreamSocket& peer, const std::atomic<bool>& done) {
        ScriptedServer::send(peer, "+HI {\"v\":2}\r\n");
        if (ScriptedServer::read_line(peer, done).rfind("HELLO", 0) != 0) return;
        ScriptedServer::send(peer, "+OK\r\n");
        ScriptedServer::read_line(peer, done);
    });
    HostRig rig;
    auto& host = start_against(rig, server);
    // The start-up probe, then the processor and the heartbeat.
    BOOST_REQUIRE_MESSAGE(eventually([&] { return server.accepted() >= 3; }), host.output());
    const auto from = Clock::now();
    std::this_thread::sleep_for(4s);  // the window the attempts are counted over
    const auto attempts = server.accepted_between(from, Clock::now());
    // Two connections backing off from 100 ms (doubling, +-20%) make about 12
    // attempts in 4 s; resetting after every HELLO made about 80.
    BOOST_TEST(attempts <= 24u, "attempts in 4 s: " << attempts << "\n" << host.output());
    BOOST_TEST(count_of(host.output(), "lost connection to Faktory") == 1u, host.output());
    BOOST_TEST(count_of(host.output(), "reconnected to Faktory") == 0u, host.output());
    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(sigterm_while_connecting_to_a_server_that_never_greets_exits_at_once) {
    ScriptedServer server([](Poco::Net::StreamSocket&, const std::atomic<bool>& done) { ScriptedServer::hold(done); });
    HostRig rig;
    const auto took = exit_time_after_sigterm(rig, server);
    // The greeting would time out only after 10 s.
    BOOST_TEST((took < 2s), std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}

BOOST_AUTO_TEST_CASE(sigterm_while_a_server_trickles_its_greeting_exits_at_once) {
    // A byte every 900 ms: never long enough for a per-read timeout to fire.
    ScriptedServer server([](Poco::Net::StreamSocket& peer, const std::atomic<bool>& done) {
        ScriptedServer::trickle(peer, "+HI {\"v\":2}\r\n", 900ms, done);
        ScriptedServer::hold(done);
    });
    HostRig rig;
    const auto took = exit_time_after_sigterm(rig, server);
    BOOST_TEST((took < 2s), std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}
