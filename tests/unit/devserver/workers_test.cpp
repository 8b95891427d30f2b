// BEAT, quiet/terminate through the HTTP control port, worker bookkeeping and /stats.
#include <boost/test/unit_test.hpp>

#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "dev_server_fixture.hpp"
#include "protocol/errors.hpp"
#include "support/eventually.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;
namespace protocol = faktory_host::protocol;
using faktory_host::testing::eventually;
using protocol::WorkerState;
using Clock = std::chrono::steady_clock;

namespace faktory_host::protocol {
inline std::ostream& boost_test_print_type(std::ostream& out, WorkerState state) { return out << to_string(state); }
} // namespace faktory_host::protocol


BOOST_AUTO_TEST_SUITE(devserver_workers)

BOOST_AUTO_TEST_CASE(beat_of_a_running_worker_is_ok_and_of_an_unknown_wid_an_error) {
    StartedServer s;
    auto worker = s.client("wid-running");
    BOOST_TEST(worker->beat("wid-running", 1000) == WorkerState::running);
    try {
        worker->beat("wid-nobody", 1000);
        BOOST_FAIL("BEAT of an unknown wid was accepted");
    } catch (const protocol::ServerError& e) {
        BOOST_TEST(e.server_message() == "unknown worker wid-nobody");
    }
}

BOOST_AUTO_TEST_CASE(quiet_then_terminate_over_http_show_up_in_every_later_beat) {
    StartedServer s;
    auto worker = s.client("wid-q");
    auto r = http(s, "POST", "/workers/wid-q/quiet");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(worker->beat("wid-q", 1) == WorkerState::quiet);
    BOOST_TEST(worker->beat("wid-q", 1) == WorkerState::quiet);
    r = http(s, "POST", "/workers/wid-q/terminate");
    BOOST_TEST(r.status == 200);
    BOOST_TEST(worker->beat("wid-q", 1) == WorkerState::terminate);
    BOOST_TEST(s.server.quiet("wid-q"));  // no way back
    BOOST_TEST(worker->beat("wid-q", 1) == WorkerState::terminate);
}

BOOST_AUTO_TEST_CASE(quiet_all_reaches_every_worker) {
    StartedServer s;
    auto a = s.client("wid-a");
    auto b = s.client("wid-b");
    BOOST_TEST(http(s, "POST", "/workers/all/quiet").status == 200);
    BOOST_TEST(a->beat("wid-a", 1) == WorkerState::quiet);
    BOOST_TEST(b->beat("wid-b", 1) == WorkerState::quiet);
}

BOOST_AUTO_TEST_CASE(control_port_answers_404_with_a_reason_for_unknown_wids_and_paths) {
    StartedServer s;
    auto r = http(s, "POST", "/workers/wid-ghost/quiet");
    BOOST_TEST(r.status == 404);
    BOOST_TEST(r.body.find("unknown worker wid-ghost") != std::string::npos);
    r = http(s, "GET", "/nowhere");
    BOOST_TEST(r.status == 404);
    BOOST_TEST(r.body.find("/stats") != std::string::npos);
    BOOST_TEST(!s.server.terminate("wid-ghost"));
}

BOOST_AUTO_TEST_CASE(current_state_from_the_client_moves_the_worker_forward_only) {
    StartedServer s;
    auto worker = s.client("wid-self");
    BOOST_TEST(worker->beat("wid-self", 1, WorkerState::quiet) == WorkerState::quiet);
    BOOST_TEST(worker->beat("wid-self", 1, WorkerState::running) == WorkerState::quiet);
    const auto workers = s.server.stats()->getArray("workers");
    BOOST_TEST(workers->getObject(0)->getValue<std::string>("state") == "quiet");
}

BOOST_AUTO_TEST_CASE(quiet_worker_gets_nothing_on_the_connection_that_registered_it) {
    StartedServer s;
    auto worker = s.client("wid-quiet-fetch");
    s.client()->push(job("Waiting"));
    s.server.quiet("wid-quiet-fetch");
    const auto begin = Clock::now();
    BOOST_TEST(!worker->fetch({"default"}).has_value());
    BOOST_TEST(std::chrono::duration<double>(Clock::now() - begin).count() >= 1.5);
    BOOST_TEST(s.client()->info().total_enqueued == 1);
    // Faktory only refuses the first connection; a second one with the same wid still fetches.
    auto second = s.client("wid-quiet-fetch");
    BOOST_TEST(second->fetch({"default"}).has_value());
}

BOOST_AUTO_TEST_CASE(stats_document_has_the_documented_shape) {
    StartedServer s;
    auto worker = s.client("wid-stats");
    worker->push(job("Busy"));
    worker->push(job("Waiting", "later"));
    const auto fetched = worker->fetch({"default"});
    worker->beat("wid-stats", 2048);

    const auto r = http(s, "GET", "/stats");
    BOOST_TEST(r.status == 200);
    const auto stats = parse_object(r.body);
    for (const char* key : {"processed", "failed", "queues", "scheduled", "retries", "dead", "working", "workers"})
        BOOST_TEST(stats->has(key), key);
    BOOST_TEST(stats->getValue<int>("processed") == 0);
    BOOST_TEST(stats->getObject("queues")->getValue<int>("later") == 1);
    BOOST_REQUIRE_EQUAL(stats->getArray("working")->size(), 1u);
    BOOST_TEST(stats->getArray("working")->getObject(0)->getValue<std::string>("jid") == fetched->jid());
    const auto w = stats->getArray("workers")->getObject(0);
    BOOST_TEST(w->getValue<std::string>("wid") == "wid-stats");
    BOOST_TEST(w->getValue<std::string>("hostname") == "test-host");
    BOOST_TEST(w->getValue<int>("pid") == 4242);
    BOOST_TEST(w->getArray("labels")->size() == 2u);
    BOOST_TEST(w->getValue<std::string>("state") == "running");
    BOOST_TEST(w->getValue<int>("connections") == 1);
    BOOST_TEST(w->getValue<std::string>("last_beat").back() == 'Z');
    BOOST_TEST(s.server.stats_json() == r.body.substr(0, r.body.size() - 1));
}

BOOST_AUTO_TEST_CASE(worker_is_forgotten_when_its_last_connection_closes) {
    StartedServer s;
    auto first = s.client("wid-gone");
    auto second = s.client("wid-gone");
    BOOST_TEST(s.server.stats()->getArray("workers")->getObject(0)->getValue<int>("connections") == 2);
    first->end();
    BOOST_TEST(eventually([&] {
        const auto workers = s.server.stats()->getArray("workers");
        return workers->size() == 1u && workers->getObject(0)->getValue<int>("connections") == 1;
    }));
    second->end();
    BOOST_TEST(eventually([&] { return s.server.stats()->getArray("workers")->size() == 0u; }));
}

BOOST_AUTO_TEST_CASE(worker_silent_for_a_minute_is_reaped_and_its_connections_closed) {
    StartedServer s;
    auto silent = s.client("wid-silent");
    auto beating = s.client("wid-beating");
    s.server.advance_time(std::chrono::seconds(40));
    beating->beat("wid-beating", 1);
    s.server.advance_time(std::chrono::seconds(30));
    const auto workers = s.server.stats()->getArray("workers");
    BOOST_REQUIRE_EQUAL(workers->size(), 1u);
    BOOST_TEST(workers->getObject(0)->getValue<std::string>("wid") == "wid-beating");
    BOOST_CHECK_THROW(silent->info(), protocol::ConnectionError);
}

BOOST_AUTO_TEST_SUITE_END()
