// PUSH, PUSHB, FETCH, ACK, INFO, FLUSH, QUEUE and MUTATE through the real client.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "dev_server_fixture.hpp"
#include "protocol/errors.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;
namespace protocol = faktory_host::protocol;
using Clock = std::chrono::steady_clock;

namespace {

std::string push_error(protocol::Client& client, const protocol::Job& j) {
    try {
        client.push(j);
    } catch (const protocol::ServerError& e) {
        return e.server_message();
    }
    return "(accepted)";
}

protocol::Job job_from(const std::string& json) { return protocol::Job(parse_object(json)); }

} // namespace

BOOST_AUTO_TEST_SUITE(devserver_jobs)

BOOST_AUTO_TEST_CASE(pushed_job_comes_back_with_timestamps_and_without_unknown_keys) {
    StartedServer s;
    auto client = s.client();
    client->push(job_from(R"({"jid":"abcdefgh1","jobtype":"Resize","args":[1,"two",{"b":1,"a":2}],)"
                          R"("queue":"images","custom":{"trace":"t1"},"surprise":true,"retry":3})"));
    const auto fetched = client->fetch({"images"});
    BOOST_REQUIRE(fetched.has_value());
    BOOST_TEST(fetched->jid() == "abcdefgh1");
    BOOST_TEST(fetched->jobtype() == "Resize");
    BOOST_TEST(fetched->queue() == "images");
    BOOST_TEST(fetched->args_json() == R"([1,"two",{"a":2,"b":1}])");
    BOOST_TEST(fetched->retry().value_or(0) == 3);
    BOOST_TEST(fetched->created_at().has_value());
    BOOST_TEST(fetched->enqueued_at().has_value());
    BOOST_TEST(!fetched->fields()->has("surprise"));
    BOOST_REQUIRE(fetched->custom());
    BOOST_TEST(fetched->custom()->getValue<std::string>("trace") == "t1");
}

BOOST_AUTO_TEST_CASE(absent_retry_is_stored_as_25) {
    StartedServer s;
    auto client = s.client();
    client->push(job_from(R"({"jid":"abcdefgh2","jobtype":"X","args":[]})"));
    BOOST_TEST(client->fetch({"default"})->retry().value_or(0) == 25);
}

BOOST_AUTO_TEST_CASE(push_rejects_what_faktory_rejects_with_its_words) {
    StartedServer s;
    auto client = s.client();
    BOOST_TEST(push_error(*client, job_from(R"({"jid":"short","jobtype":"X","args":[]})")) ==
               "jobs must have a reasonable jid parameter");
    BOOST_TEST(push_error(*client, job_from(R"({"jid":"abcdefgh","args":[]})")) ==
               "jobs must have a jobtype parameter");
    BOOST_TEST(push_error(*client, job_from(R"({"jid":"abcdefgh","jobtype":"X"})")) ==
               "jobs must have an args parameter");
    BOOST_TEST(push_error(*client, job_from(R"({"jid":"abcdefgh","jobtype":"X","args":[],"reserve_for":86401})")) ==
               "jobs cannot be reserved for more than one day");
    BOOST_TEST(push_error(*client, job_from(R"({"jid":"abcdefgh","jobtype":"X","args":[],"at":"tomorrow"})"))
                   .rfind("invalid timestamp for 'at'", 0) == 0);
    BOOST_TEST(push_error(*client, job_from(R"({"jid":"abcdefgh","jobtype":"X","args":{}})"))
                   .rfind("invalid JSON: ", 0) == 0);
    BOOST_TEST(client->info().total_enqueued == 0);
}

BOOST_AUTO_TEST_CASE(push_of_malformed_json_says_invalid_json) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.handshake();
    raw.send("PUSH {\"jid\":\r\n");
    BOOST_TEST(raw.read_line().rfind("-ERR invalid JSON: ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(push_bulk_reports_only_the_rejected_jobs) {
    StartedServer s;
    auto client = s.client();
    std::vector<protocol::Job> jobs{job("A"), job_from(R"({"jid":"bad","jobtype":"B","args":[]})"), job("C")};
    const auto rejected = client->push_bulk(jobs);
    BOOST_REQUIRE_EQUAL(rejected.size(), 1u);
    BOOST_TEST(rejected.at("bad") == "jobs must have a reasonable jid parameter");
    BOOST_TEST(client->info().queues.at("default") == 2);
    BOOST_TEST(client->push_bulk({job("D")}).empty());
}

BOOST_AUTO_TEST_CASE(fetch_takes_queues_in_the_given_order_and_each_queue_fifo) {
    StartedServer s;
    auto client = s.client();
    auto low1 = job("L1", "low"), low2 = job("L2", "low"), high1 = job("H1", "high"), high2 = job("H2", "high");
    for (auto* j : {&low1, &high1, &low2, &high2}) client->push(*j);
    std::vector<std::string> order;
    for (int i = 0; i < 4; ++i) order.push_back(client->fetch({"high", "low"})->jobtype());
    BOOST_TEST(order == (std::vector<std::string>{"H1", "H2", "L1", "L2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(fetch_on_empty_queues_answers_null_after_about_two_seconds) {
    StartedServer s;
    auto client = s.client();
    const auto begin = Clock::now();
    BOOST_TEST(!client->fetch({"empty", "also-empty"}).has_value());
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    BOOST_TEST(elapsed >= 1.5);
    BOOST_TEST(elapsed <= 5.0);
}

BOOST_AUTO_TEST_CASE(blocked_fetch_returns_a_job_pushed_meanwhile_to_any_listed_queue) {
    StartedServer s;
    auto consumer = s.client();
    std::optional<protocol::Job> fetched;
    std::thread waiting([&] { fetched = consumer->fetch({"a", "b"}); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let it block; correctness does not depend on it
    s.client()->push(job("Late", "b"));
    waiting.join();
    BOOST_REQUIRE(fetched.has_value());
    BOOST_TEST(fetched->jobtype() == "Late");
}

BOOST_AUTO_TEST_CASE(fetch_without_a_queue_is_an_error) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.handshake();
    raw.send("FETCH\r\n");
    BOOST_TEST(raw.read_line() == "-ERR must call fetch with at least one queue\r\n");
}

BOOST_AUTO_TEST_CASE(paused_queues_are_skipped_until_resumed_and_removed_queues_are_emptied) {
    StartedServer s;
    auto client = s.client();
    client->push(job("P", "paused"));
    client->push(job("O", "open"));
    client->queue_pause({"paused"});
    BOOST_TEST(client->fetch({"paused", "open"})->jobtype() == "O");
    client->queue_resume({"*"});
    BOOST_TEST(client->fetch({"paused", "open"})->jobtype() == "P");
    client->push(job("R", "gone"));
    client->queue_remove({"gone"});
    BOOST_TEST(client->info().queues.count("gone") == 0);
}

BOOST_AUTO_TEST_CASE(ack_answers_ok_even_for_an_unknown_jid_and_info_counts_acks_and_fails) {
    StartedServer s;
    auto client = s.client();
    client->ack("never-fetched-jid");
    for (int i = 0; i < 3; ++i) client->push(job("J"));
    client->push(job("J", "other"));
    client->ack(client->fetch({"default"})->jid());
    client->fail(client->fetch({"default"})->jid(), {"Boom", "it broke", {}});
    const auto info = client->info();
    BOOST_TEST(info.total_processed == 2);
    BOOST_TEST(info.total_failures == 1);
    BOOST_TEST(info.total_enqueued == 2);
    BOOST_TEST(info.total_queues == 2);
    BOOST_TEST(info.queues.at("default") == 1);
    BOOST_TEST(info.queues.at("other") == 1);
    BOOST_TEST(info.connections == 1);
    BOOST_TEST(info.faktory_version == "1.7.0");
    const auto raw = parse_object(info.raw_json);
    BOOST_TEST(raw->getObject("faktory")->has("tasks"));
    BOOST_TEST(raw->getObject("server")->has("used_memory_mb"));
    BOOST_TEST(raw->getObject("server")->has("uptime"));
}

BOOST_AUTO_TEST_CASE(flush_clears_queues_sets_and_counters) {
    StartedServer s;
    auto client = s.client();
    client->push(job("A"));
    client->fail(client->fetch({"default"})->jid(), {"E", "m", {}});
    client->push(job("B"));
    client->flush();
    const auto info = client->info();
    BOOST_TEST(info.total_enqueued == 0);
    BOOST_TEST(info.total_processed == 0);
    BOOST_TEST(info.queues.at("default") == 0);  // still listed, as Faktory lists the queues it has seen
    BOOST_TEST(s.server.stats()->getArray("retries")->size() == 0u);
}

BOOST_AUTO_TEST_CASE(job_with_future_at_waits_in_the_scheduled_set_until_due) {
    StartedServer s;
    auto client = s.client();
    auto later = job("Later");
    later.set_at("2999-01-01T00:00:00Z");
    client->push(later);
    auto soon = job("Soon");
    soon.set_at("2000-01-01T00:00:00+02:00");  // in the past: enqueued at once
    client->push(soon);
    BOOST_TEST(s.server.stats()->getArray("scheduled")->size() == 1u);
    BOOST_TEST(client->fetch({"default"})->jobtype() == "Soon");

    auto in_a_minute = job("InAMinute");
    in_a_minute.set_at("2999-01-01T00:00:00Z");
    client->flush();
    auto near = job("Near");
    const auto when = std::chrono::system_clock::now() + std::chrono::seconds(30);
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    near.set_at(text);
    client->push(near);
    BOOST_TEST(client->info().total_enqueued == 0);
    s.server.advance_time(std::chrono::seconds(31));
    const auto fetched = client->fetch({"default"});
    BOOST_REQUIRE(fetched.has_value());
    BOOST_TEST(fetched->jobtype() == "Near");
    BOOST_TEST(fetched->at().value_or("") == text);
}

BOOST_AUTO_TEST_CASE(mutate_clears_the_named_set_and_refuses_unknown_targets) {
    StartedServer s;
    auto client = s.client();
    auto later = job("Later");
    later.set_at("2999-01-01T00:00:00Z");
    client->push(later);
    client->push(job("Failing"));
    client->fail(client->fetch({"default"})->jid(), {"E", "m", {}});
    client->mutate(R"({"cmd":"clear","target":"retries"})");
    BOOST_TEST(s.server.stats()->getArray("retries")->size() == 0u);
    BOOST_TEST(s.server.stats()->getArray("scheduled")->size() == 1u);
    client->mutate(R"({"cmd":"kill","target":"scheduled","filter":{"jobtype":"Later"}})");
    BOOST_TEST(s.server.stats()->getArray("scheduled")->size() == 0u);
    BOOST_TEST(s.server.stats()->getArray("dead")->size() == 1u);
    client->mutate(R"({"cmd":"requeue","target":"dead"})");
    BOOST_TEST(client->info().queues.at("default") == 1);
    BOOST_CHECK_THROW(client->mutate(R"({"cmd":"clear","target":"nowhere"})"), protocol::ServerError);
}

BOOST_AUTO_TEST_SUITE_END()
