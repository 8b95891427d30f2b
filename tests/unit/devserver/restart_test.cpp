// Faktory's shutdown and restart, as the dev server reproduces them: commands
// refused with "-ERR shutdown in progress" and not carried out, a restart on
// the same port that keeps every job and reservation, and the state file.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "dev_server_fixture.hpp"
#include "protocol/errors.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;
namespace protocol = faktory_host::protocol;
using faktory_host::testing::eventually;
using faktory_host::testing::TempDir;

namespace {

// What restart and the state file must keep: everything in /stats but the workers.
std::string job_state(const DevServer& server) {
    auto stats = server.stats();
    stats->remove("workers");
    std::ostringstream out;
    stats->stringify(out);
    return out.str();
}

protocol::Job job_from(const std::string& json) { return protocol::Job(parse_object(json)); }

// A server holding something in every set: two queues (one paused), a
// scheduled job, a retry, a dead job, a reservation and the counters.
std::string fill_every_set(StartedServer& s) {
    auto client = s.client();
    client->push(job("Waiting", "first"));
    client->push(job("Waiting", "first"));
    client->push(job("Paused", "held"));
    client->queue_pause({"held"});
    client->push(job_from(R"({"jid":"scheduled-1","jobtype":"Later","args":[],"at":"2999-01-01T00:00:00Z"})"));
    client->push(job_from(R"({"jid":"retried-1","jobtype":"Flaky","args":[1],"queue":"flaky"})"));
    client->fail(client->fetch({"flaky"})->jid(), {"Boom", "first failure", {"a.cpp:1"}});
    client->push(job_from(R"({"jid":"doomed-01","jobtype":"Doomed","args":[],"queue":"flaky","retry":-1})"));
    client->fail(client->fetch({"flaky"})->jid(), {"Boom", "straight to the dead set", {}});
    client->push(job_from(R"({"jid":"acked-001","jobtype":"Done","args":[],"queue":"flaky"})"));
    client->ack(client->fetch({"flaky"})->jid());
    client->push(job_from(R"({"jid":"reserved-1","jobtype":"Slow","args":[],"queue":"slow","reserve_for":60})"));
    const auto reserved = client->fetch({"slow"});
    BOOST_REQUIRE(reserved.has_value());
    return reserved->jid();
}

} // namespace

BOOST_AUTO_TEST_SUITE(devserver_restart)

BOOST_AUTO_TEST_CASE(a_command_during_shutdown_gets_exactly_the_refusal_and_the_connection_closes_undone) {
    StartedServer s;
    auto worker = s.client("wid-shutdown");
    worker->push(job("Work"));
    const auto fetched = worker->fetch({"default"});
    BOOST_REQUIRE(fetched.has_value());
    RawConnection acker(s.server.port());
    BOOST_REQUIRE(acker.handshake() == "+OK\r\n");
    RawConnection pusher(s.server.port());
    BOOST_REQUIRE(pusher.handshake() == "+OK\r\n");

    s.server.begin_shutdown();
    acker.send("ACK {\"jid\":\"" + fetched->jid() + "\"}\r\n");
    BOOST_TEST(acker.read_line() == "-ERR shutdown in progress\r\n");
    BOOST_TEST(acker.closed_by_server());
    pusher.send(R"(PUSH {"jid":"during-shutdown","jobtype":"X","args":[]})" "\r\n");
    BOOST_TEST(pusher.read_line() == "-ERR shutdown in progress\r\n");
    BOOST_TEST(pusher.closed_by_server());

    // Neither was carried out: the reservation stands, nothing was pushed or processed.
    const auto stats = s.server.stats();
    BOOST_TEST(stats->getArray("working")->size() == 1u);
    BOOST_TEST(stats->getValue<std::int64_t>("processed") == 0);
    BOOST_TEST(stats->getObject("queues")->getValue<std::int64_t>("default") == 0);
    // New connections are refused while shutting down.
    BOOST_CHECK_THROW(RawConnection(s.server.port()).handshake(), Poco::Exception);

    s.server.restart(std::chrono::milliseconds(0));
    auto after = s.client();
    after->ack(fetched->jid());  // the same ACK, sent again, now counts
    const auto info = after->info();
    BOOST_TEST(info.total_processed == 1);
    BOOST_TEST(s.server.stats()->getArray("working")->size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_fail_refused_during_shutdown_is_accepted_after_the_restart) {
    StartedServer s;
    auto client = s.client();
    client->push(job("Work"));
    const auto jid = client->fetch({"default"})->jid();
    s.server.begin_shutdown();
    try {
        client->fail(jid, {"Boom", "refused", {}});
        BOOST_FAIL("FAIL during shutdown was accepted");
    } catch (const protocol::ServerError& e) {
        BOOST_TEST(e.server_message() == "shutdown in progress");
    }
    BOOST_TEST(s.server.stats()->getValue<std::int64_t>("failed") == 0);
    s.server.restart(std::chrono::milliseconds(0));
    s.client()->fail(jid, {"Boom", "after restart", {}});
    BOOST_TEST(s.server.stats()->getValue<std::int64_t>("failed") == 1);
    BOOST_TEST(s.server.stats()->getArray("retries")->size() == 1u);
}

BOOST_AUTO_TEST_CASE(restart_keeps_every_set_and_counter_on_the_same_port_and_forgets_workers) {
    StartedServer s;
    const std::string reserved = fill_every_set(s);
    auto worker = s.client("wid-before-restart");
    BOOST_REQUIRE(s.server.stats()->getArray("workers")->size() == 1u);
    const std::string before = job_state(s.server);
    const auto port = s.server.port();

    s.server.restart(std::chrono::milliseconds(200));

    BOOST_TEST(s.server.port() == port);
    BOOST_TEST(job_state(s.server) == before);
    BOOST_TEST(s.server.stats()->getArray("workers")->size() == 0u);
    BOOST_CHECK_THROW(worker->info(), protocol::FaktoryError);  // its connection was closed
    auto client = s.client();
    const auto info = client->info();
    BOOST_TEST(info.total_processed == 3);
    BOOST_TEST(info.total_failures == 2);
    BOOST_TEST(client->fetch({"first"})->jobtype() == "Waiting");
    BOOST_TEST(!client->fetch({"held"}).has_value());  // still paused

    // The reservation kept its deadline (reserve_for 60 s): not expired at
    // 30 s, expired (and retried) past 60 s.
    s.server.advance_time(std::chrono::seconds(30));
    BOOST_TEST(s.server.stats()->getArray("working")->size() == 2u);  // + the "first" job just fetched
    s.server.advance_time(std::chrono::seconds(31));
    const auto retries = s.server.stats()->getArray("retries");
    bool expired = false;
    for (std::size_t i = 0; i < retries->size(); ++i) {
        const auto entry = retries->getObject(static_cast<unsigned>(i));
        if (entry->getValue<std::string>("jid") == reserved)
            expired = entry->getObject("failure")->getValue<std::string>("errtype") == "ReservationExpired";
    }
    BOOST_TEST(expired);
}

BOOST_AUTO_TEST_CASE(restart_over_the_control_port_keeps_the_jobs_and_checks_down_ms) {
    StartedServer s;
    auto client = s.client();
    client->push(job("Kept"));
    const auto reply = http(s, "POST", "/restart?down_ms=50");
    BOOST_TEST(reply.status == 200);
    BOOST_TEST(reply.body == "{\"restarted\":true,\"down_ms\":50}\n");
    BOOST_CHECK_THROW(client->info(), protocol::FaktoryError);
    BOOST_TEST(s.client()->fetch({"default"})->jobtype() == "Kept");
    const auto bad = http(s, "POST", "/restart?down_ms=soon");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(bad.body.find("down_ms must be a whole number") != std::string::npos);
    BOOST_TEST(http(s, "GET", "/restart").status == 405);
}

BOOST_AUTO_TEST_CASE(repeated_restarts_under_load_lose_no_job_and_count_every_ack) {
    StartedServer s;
    constexpr int producers = 2, consumers = 3, jobs_per_producer = 400;
    std::atomic<int> pushed{0}, acked{0};
    std::atomic<bool> done{false};
    std::mutex seen_mutex;
    std::set<std::string> seen;
    int duplicates = 0;

    // Each call is retried on a fresh connection until the server answers it:
    // a refusal during shutdown means "not done", exactly as Faktory means it.
    auto with_retries = [&](std::unique_ptr<protocol::Client>& client, auto&& call) {
        while (true) {
            try {
                if (!client) client = s.client();
                return call(*client);
            } catch (const protocol::FaktoryError&) {
                client.reset();
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }
    };
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p)
        threads.emplace_back([&, p] {
            std::unique_ptr<protocol::Client> client;
            for (int i = 0; i < jobs_per_producer; ++i) {
                auto j = job_from(R"({"jid":"load-)" + std::to_string(p) + "-" + std::to_string(i) +
                                  R"(","jobtype":"L","args":[]})");
                with_retries(client, [&](protocol::Client& c) { c.push(j); });
                ++pushed;
            }
        });
    for (int c = 0; c < consumers; ++c)
        threads.emplace_back([&] {
            std::unique_ptr<protocol::Client> client;
            while (!done.load()) {
                const auto fetched = with_retries(client, [](protocol::Client& c) { return c.fetch({"default"}); });
                if (!fetched) continue;
                {
                    std::lock_guard lock(seen_mutex);
                    if (!seen.insert(fetched->jid()).second) ++duplicates;
                }
                with_retries(client, [&](protocol::Client& c) { c.ack(fetched->jid()); });
                ++acked;
            }
        });

    for (int restart = 0; restart < 4; ++restart) {
        BOOST_REQUIRE(eventually([&] { return acked.load() >= (restart + 1) * 150; }, std::chrono::seconds(20)));
        s.server.restart(std::chrono::milliseconds(30));
    }
    const bool all_acked = eventually([&] { return acked.load() == producers * jobs_per_producer; },
                                      std::chrono::seconds(30));
    done = true;
    for (auto& t : threads) t.join();
    BOOST_TEST(all_acked);
    BOOST_TEST(pushed.load() == producers * jobs_per_producer);
    BOOST_TEST(duplicates == 0);
    const auto stats = s.server.stats();
    BOOST_TEST(stats->getValue<std::int64_t>("processed") == producers * jobs_per_producer);
    BOOST_TEST(stats->getArray("working")->size() == 0u);
    BOOST_TEST(stats->getObject("queues")->getValue<std::int64_t>("default") == 0);
}

BOOST_AUTO_TEST_CASE(state_file_round_trip_keeps_every_set_and_a_reservation_acked_after_loading) {
    TempDir dir;
    const auto path = (dir / "devserver-state.json").string();
    std::string before, reserved;
    {
        StartedServer s;
        reserved = fill_every_set(s);
        s.server.advance_time(std::chrono::seconds(5));
        before = job_state(s.server);
        s.server.save_state(path);
    }
    BOOST_TEST(!std::filesystem::exists(path + ".tmp"));
    const auto others = std::filesystem::perms::others_read | std::filesystem::perms::group_read;
    BOOST_TEST(((std::filesystem::status(path).permissions() & others) == std::filesystem::perms::none));
    StartedServer loaded;
    loaded.server.load_state(path);
    BOOST_TEST(job_state(loaded.server) == before);
    auto client = loaded.client();
    client->ack(reserved);
    BOOST_TEST(client->info().total_processed == 4);
    BOOST_TEST(loaded.server.stats()->getArray("working")->size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_state_file_with_a_bad_entry_is_refused_naming_the_file_and_the_entry) {
    TempDir dir;
    const auto path = (dir / "broken.json").string();
    std::ofstream(path) << R"({"format":1,"clock_offset_ms":0,"counters":{"processed":0,"failures":0},)"
                           R"("queues":[{"name":"q","paused":false,"jobs":[{"job":{"jid":"short","jobtype":"X","args":[]}}]}],)"
                           R"("scheduled":[],"retries":[],"dead":[],"working":[]})";
    StartedServer s;
    try {
        s.server.load_state(path);
        BOOST_FAIL("a bad state file was loaded");
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find(path) != std::string::npos);
        BOOST_TEST(message.find("queues[0].jobs[0].job") != std::string::npos);
        BOOST_TEST(message.find("reasonable jid") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
