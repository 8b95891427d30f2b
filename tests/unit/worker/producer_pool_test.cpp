// ProducerPool::push: retried only when the PUSH certainly never reached the
// server; a PUSH whose reply was lost is reported (PushOutcomeUnknown, with
// its jid), never sent a second time.
#include <boost/test/unit_test.hpp>

#include "plugins/push_outcome.hpp"
#include "protocol/errors.hpp"
#include "support/scripted_server.hpp"
#include "worker/producer_pool.hpp"

using faktory_host::testing::FakeServer;
using faktory_host::testing::Peer;
namespace protocol = faktory_host::protocol;
namespace plugins = faktory_host::plugins;
using faktory_host::worker::ProducerPool;

namespace {

protocol::ClientOptions options_for(const FakeServer& server) {
    protocol::ClientOptions options;
    options.url.host = "127.0.0.1";
    options.url.port = server.port();
    options.read_timeout = std::chrono::milliseconds(5000);
    return options;
}

std::size_t pushes(const std::vector<std::string>& lines) {
    std::size_t n = 0;
    for (const auto& line : lines)
        if (line.rfind("PUSH ", 0) == 0) ++n;
    return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(producer_pool)

BOOST_AUTO_TEST_CASE(a_connection_that_fails_before_the_push_is_retried_and_the_job_sent_once) {
    FakeServer server(
        [](Peer& peer, int index) {
            if (index == 0) return;  // accepted, then closed before the greeting: nothing was sent
            peer.handshake();
            peer.answer("+OK\r\n");
            peer.read_line();  // END at the end of the test
        },
        2);
    {
        ProducerPool pool(options_for(server));
        const auto jid = pool.push("Job", "[1]", "default");
        BOOST_TEST(!jid.empty());
    }
    BOOST_TEST(server.error().empty(), server.error());
    BOOST_TEST(pushes(server.lines()) == 1u);
}

BOOST_AUTO_TEST_CASE(a_push_whose_reply_is_lost_is_reported_with_its_jid_and_not_sent_again) {
    FakeServer server(
        [](Peer& peer, int) {
            peer.handshake();
            peer.read_line();  // the PUSH, then close without a reply
        },
        1);
    ProducerPool pool(options_for(server));
    std::string reported_jid;
    try {
        pool.push("Job", "[1]", "default");
        BOOST_FAIL("expected PushOutcomeUnknown");
    } catch (const plugins::PushOutcomeUnknown& e) {
        reported_jid = e.jid();
        BOOST_TEST(std::string(e.what()).find("outcome unknown") != std::string::npos, e.what());
    }
    const auto lines = server.lines();
    BOOST_TEST_REQUIRE(pushes(lines) == 1u);
    BOOST_TEST(lines.back().find("\"jid\":\"" + reported_jid + "\"") != std::string::npos, lines.back());
}

BOOST_AUTO_TEST_CASE(a_refused_push_is_the_servers_answer_and_not_retried) {
    FakeServer server(
        [](Peer& peer, int) {
            peer.handshake();
            peer.answer("-ERR jobs must have a jobtype parameter\r\n");
            peer.read_line();  // END
        },
        1);
    {
        ProducerPool pool(options_for(server));
        BOOST_CHECK_THROW(pool.push("Job", "[]", "default"), protocol::ServerError);
    }
    BOOST_TEST(pushes(server.lines()) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
