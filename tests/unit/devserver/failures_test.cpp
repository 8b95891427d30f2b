// FAIL, the retry schedule, the dead set and reservation expiry, using the
// server's time-advance hook instead of waiting.
#include <boost/test/unit_test.hpp>

#include "dev_server_fixture.hpp"
#include "devserver/retry_delay.hpp"
#include "devserver/server_clock.hpp"
#include "protocol/errors.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;
namespace protocol = faktory_host::protocol;

namespace {

protocol::Job fetch_one(protocol::Client& client) {
    auto fetched = client.fetch({"default"});
    BOOST_REQUIRE(fetched.has_value());
    return *fetched;
}

Poco::JSON::Array::Ptr set_of(const StartedServer& s, const std::string& name) {
    return s.server.stats()->getArray(name);
}

} // namespace

BOOST_AUTO_TEST_SUITE(devserver_failures)

BOOST_AUTO_TEST_CASE(retry_delay_follows_faktorys_formula) {
    BOOST_TEST(retry_delay(0, 0).count() == 15);
    BOOST_TEST(retry_delay(0, 29).count() == 44);
    BOOST_TEST(retry_delay(3, 10).count() == 81 + 15 + 40);
    for (int i = 0; i < 100; ++i) {
        const auto d = retry_delay(2).count();
        BOOST_TEST((d >= 16 + 15 && d <= 16 + 15 + 29 * 3));
    }
}

BOOST_AUTO_TEST_CASE(failed_job_lands_in_retries_with_its_failure_record) {
    StartedServer s;
    auto client = s.client();
    client->push(job("Flaky"));
    const auto first = fetch_one(*client);
    client->fail(first.jid(), {"RuntimeError", "it broke", {"a.cpp:1", "b.cpp:2"}});
    const auto retries = set_of(s, "retries");
    BOOST_REQUIRE_EQUAL(retries->size(), 1u);
    const protocol::Job retried(retries->getObject(0));
    const auto failure = retried.failure();
    BOOST_REQUIRE(failure.has_value());
    BOOST_TEST(failure->retry_count == 0);
    BOOST_TEST(failure->remaining == 25);  // the default retry: what the server writes, the client reads
    BOOST_TEST(failure->errtype == "RuntimeError");
    BOOST_TEST(failure->message == "it broke");
    BOOST_TEST(failure->backtrace.size() == 2u);
    const auto failed_at = parse_rfc3339(failure->failed_at), next_at = parse_rfc3339(failure->next_at);
    BOOST_REQUIRE((failed_at && next_at));
    const auto wait = std::chrono::duration_cast<std::chrono::seconds>(*next_at - *failed_at).count();
    BOOST_TEST((wait >= 14 && wait <= 45));  // 15 + rand(0..29), rounding either way
}

BOOST_AUTO_TEST_CASE(fail_cuts_long_fields_and_names_empty_ones_unknown) {
    StartedServer s;
    auto client = s.client();
    client->push(job("Long"));
    std::vector<std::string> backtrace(80, "frame");
    client->fail(fetch_one(*client).jid(), {std::string(150, 'E'), std::string(1500, 'm'), backtrace});
    auto failure = protocol::Job(set_of(s, "retries")->getObject(0)).failure();
    BOOST_TEST(failure->errtype.size() == 100u);
    BOOST_TEST(failure->message.size() == 1000u);
    BOOST_TEST(failure->backtrace.size() == 50u);

    client->flush();
    client->push(job("Empty"));
    client->fail(fetch_one(*client).jid(), {"", "  ", {}});
    failure = protocol::Job(set_of(s, "retries")->getObject(0)).failure();
    BOOST_TEST(failure->errtype == "unknown");
    BOOST_TEST(failure->message == "unknown");
}

BOOST_AUTO_TEST_CASE(fail_of_a_job_not_reserved_is_job_not_found) {
    StartedServer s;
    auto client = s.client();
    try {
        client->fail("nosuchjid1", {"E", "m", {}});
        BOOST_FAIL("FAIL of an unknown jid was accepted");
    } catch (const protocol::ServerError& e) {
        BOOST_TEST(e.server_message() == "Job not found nosuchjid1");
    }
}

BOOST_AUTO_TEST_CASE(retried_job_comes_back_when_due_and_dies_when_retries_run_out) {
    StartedServer s;
    auto client = s.client();
    auto flaky = job("Flaky");
    flaky.set_retry(2);
    client->push(flaky);
    for (int failure = 0; failure < 2; ++failure) {
        const auto fetched = fetch_one(*client);
        if (failure > 0) BOOST_TEST(fetched.failure()->retry_count == failure - 1);
        client->fail(fetched.jid(), {"E", "attempt " + std::to_string(failure), {}});
        BOOST_TEST(set_of(s, "retries")->size() == 1u);
        BOOST_TEST(client->info().total_enqueued == 0);  // not before it is due
        s.server.advance_time(std::chrono::seconds(100));  // past n^4 + 15 + 29 * (n + 1) for n <= 1
    }
    const auto last = fetch_one(*client);
    BOOST_TEST(last.failure()->retry_count == 1);
    client->fail(last.jid(), {"E", "final", {}});
    BOOST_TEST(set_of(s, "retries")->size() == 0u);
    const auto dead = set_of(s, "dead");
    BOOST_REQUIRE_EQUAL(dead->size(), 1u);
    const protocol::Job corpse(dead->getObject(0));
    BOOST_TEST(corpse.failure()->retry_count == 2);
    BOOST_TEST(corpse.failure()->message == "final");
}

BOOST_AUTO_TEST_CASE(retry_zero_discards_the_job_on_failure) {
    StartedServer s;
    auto client = s.client();
    auto once = job("Once");
    once.set_retry(0);
    client->push(once);
    client->fail(fetch_one(*client).jid(), {"E", "m", {}});
    BOOST_TEST(set_of(s, "retries")->size() == 0u);
    BOOST_TEST(set_of(s, "dead")->size() == 0u);
    BOOST_TEST(client->info().total_failures == 1);
}

BOOST_AUTO_TEST_CASE(retry_minus_one_sends_the_job_straight_to_the_dead_set) {
    StartedServer s;
    auto client = s.client();
    auto fragile = job("Fragile");
    fragile.set_retry(-1);
    client->push(fragile);
    client->fail(fetch_one(*client).jid(), {"E", "m", {}});
    BOOST_TEST(set_of(s, "retries")->size() == 0u);
    BOOST_TEST(set_of(s, "dead")->size() == 1u);
}

BOOST_AUTO_TEST_CASE(expired_reservation_fails_the_job_with_reservation_expired) {
    StartedServer s;
    auto client = s.client();
    auto slow = job("Slow");
    slow.set_reserve_for(10);  // clamped up to 60 s
    client->push(slow);
    const auto fetched = fetch_one(*client);
    BOOST_TEST(set_of(s, "working")->size() == 1u);
    s.server.advance_time(std::chrono::seconds(30));
    BOOST_TEST(set_of(s, "working")->size() == 1u);  // not yet: 60 s minimum
    s.server.advance_time(std::chrono::seconds(31));
    BOOST_TEST(set_of(s, "working")->size() == 0u);
    const auto retries = set_of(s, "retries");
    BOOST_REQUIRE_EQUAL(retries->size(), 1u);
    BOOST_TEST(protocol::Job(retries->getObject(0)).failure()->errtype == "ReservationExpired");
    BOOST_TEST(client->info().total_failures == 1);
    client->ack(fetched.jid());  // the late ACK is harmless
    s.server.advance_time(std::chrono::seconds(60));
    BOOST_TEST(fetch_one(*client).jid() == fetched.jid());
}

BOOST_AUTO_TEST_CASE(default_reservation_lasts_1800_seconds) {
    StartedServer s;
    auto client = s.client();
    client->push(job("Normal"));
    fetch_one(*client);
    s.server.advance_time(std::chrono::seconds(1790));
    BOOST_TEST(set_of(s, "working")->size() == 1u);
    s.server.advance_time(std::chrono::seconds(20));
    BOOST_TEST(set_of(s, "working")->size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
