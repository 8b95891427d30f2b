// ResultLedger: undelivered results stay until sent, are sent once, and a
// failed send keeps them for the next flush.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "worker/result_ledger.hpp"

using faktory_host::protocol::FailureReport;
using faktory_host::worker::PendingResult;
using faktory_host::worker::ResultLedger;

BOOST_AUTO_TEST_SUITE(result_ledger)

BOOST_AUTO_TEST_CASE(flush_sends_every_pending_result_once_and_empties_the_ledger) {
    ResultLedger ledger;
    ledger.add(PendingResult::ack("jid-1", "A"));
    ledger.add(PendingResult::fail("jid-2", "B", FailureReport{"RuntimeError", "boom", {}}));
    std::vector<std::string> sent;
    ledger.flush([&](const PendingResult& r) { sent.push_back(r.jid + (r.failure ? ":fail" : ":ack")); });
    BOOST_TEST(sent == (std::vector<std::string>{"jid-1:ack", "jid-2:fail"}), boost::test_tools::per_element());
    BOOST_TEST(ledger.empty());
    ledger.flush([&](const PendingResult&) { BOOST_FAIL("nothing should be left to send"); });
}

BOOST_AUTO_TEST_CASE(a_failed_send_keeps_that_result_and_the_untried_ones) {
    ResultLedger ledger;
    ledger.add(PendingResult::ack("a", "T"));
    ledger.add(PendingResult::ack("b", "T"));
    ledger.add(PendingResult::ack("c", "T"));
    std::vector<std::string> sent;
    BOOST_CHECK_THROW(ledger.flush([&](const PendingResult& r) {
        if (r.jid == "b") throw std::runtime_error("connection lost");
        sent.push_back(r.jid);
    }),
                      std::runtime_error);
    BOOST_TEST(sent == (std::vector<std::string>{"a"}), boost::test_tools::per_element());
    BOOST_TEST(ledger.size() == 2u);
    ledger.flush([&](const PendingResult& r) { sent.push_back(r.jid); });
    BOOST_TEST(sent == (std::vector<std::string>{"a", "b", "c"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_later_result_for_the_same_jid_replaces_the_earlier_one) {
    ResultLedger ledger;
    ledger.add(PendingResult::fail("j", "T", FailureReport{"E", "first", {}}));
    ledger.add(PendingResult::ack("j", "T"));
    BOOST_TEST(ledger.size() == 1u);
    ledger.flush([](const PendingResult& r) { BOOST_TEST(!r.failure.has_value()); });
}

BOOST_AUTO_TEST_CASE(concurrent_flushes_never_send_a_result_twice) {
    ResultLedger ledger;
    for (int i = 0; i < 2000; ++i) ledger.add(PendingResult::ack("jid-" + std::to_string(i), "T"));
    std::atomic<int> sends{0};
    std::vector<std::thread> flushers;
    for (int t = 0; t < 4; ++t)
        flushers.emplace_back([&] { ledger.flush([&](const PendingResult&) { ++sends; }); });
    for (auto& t : flushers) t.join();
    BOOST_TEST(sends.load() == 2000);
    BOOST_TEST(ledger.empty());
}

BOOST_AUTO_TEST_CASE(a_give_back_whose_push_failed_keeps_the_ack_done_so_it_is_never_sent_twice) {
    ResultLedger ledger;
    ledger.add(PendingResult::give_back("g", "T", R"({"jid":"g","jobtype":"T","args":[]})"));
    BOOST_TEST((ledger.entries().front().kind() == PendingResult::Kind::give_back));
    // First try: the ACK goes through, the PUSH fails.
    BOOST_CHECK_THROW(ledger.flush([](PendingResult& r) {
        r.reservation_released = true;
        throw std::runtime_error("connection lost before the PUSH");
    }),
                      std::runtime_error);
    BOOST_TEST_REQUIRE(ledger.size() == 1u);
    BOOST_TEST(ledger.entries().front().reservation_released);
}

BOOST_AUTO_TEST_CASE(refusals_hold_re_sends_back_doubling_until_a_delivery) {
    using namespace std::chrono_literals;
    ResultLedger ledger;
    auto now = ResultLedger::Clock::now();
    BOOST_TEST(ledger.held_for(now).count() == 0);
    BOOST_TEST(ledger.refused(now).count() == 100);
    BOOST_TEST(ledger.held_for(now + 40ms).count() == 60);
    // Another processor refused during the same hold: counted once, no doubling.
    BOOST_TEST(ledger.refused(now + 40ms).count() == 60);
    now += 100ms;
    BOOST_TEST(ledger.held_for(now).count() == 0);
    BOOST_TEST(ledger.refused(now).count() == 200);
    now += 200ms;
    BOOST_TEST(ledger.refused(now).count() == 400);
    for (int i = 0; i < 10; ++i) ledger.refused(now += 10s);
    BOOST_TEST(ledger.refused(now += 10s).count() == 5000);  // capped
    ledger.delivered();
    BOOST_TEST(ledger.held_for(now).count() == 0);
    BOOST_TEST(ledger.refused(now).count() == 100);
}

namespace {
PendingResult fresh_ack(const std::string& jid) {
    auto result = PendingResult::ack(jid, "T");
    result.with_next_fetch = true;
    return result;
}
} // namespace

BOOST_AUTO_TEST_CASE(fresh_results_are_taken_for_the_next_fetch_up_to_the_bound) {
    ResultLedger ledger;
    BOOST_TEST_REQUIRE(ledger.take_for_fetch(8).has_value());  // nothing pending: a plain FETCH
    BOOST_TEST(ledger.take_for_fetch(8)->empty());
    for (const auto* jid : {"a", "b", "c"}) ledger.add(fresh_ack(jid));
    const auto first = ledger.take_for_fetch(2);
    BOOST_TEST_REQUIRE(first.has_value());
    BOOST_TEST(first->size() == 2u);
    BOOST_TEST(ledger.size() == 1u);
    BOOST_TEST(ledger.take_for_fetch(2)->size() == 1u);
    BOOST_TEST(ledger.empty());
}

BOOST_AUTO_TEST_CASE(a_result_put_back_is_sent_alone_and_holds_back_every_pipelined_write) {
    ResultLedger ledger;
    ledger.add(fresh_ack("refused"));
    auto taken = ledger.take_for_fetch(8);
    BOOST_TEST_REQUIRE(taken->size() == 1u);
    ledger.put_back(std::move(taken->front()));
    ledger.add(fresh_ack("new"));
    BOOST_TEST(ledger.has_result_to_send_alone());
    BOOST_TEST(!ledger.take_for_fetch(8).has_value());  // the re-send goes first, alone
    std::vector<std::string> sent;
    ledger.flush([&](const PendingResult& r) { sent.push_back(r.jid); });
    BOOST_TEST((sent == std::vector<std::string>{"new", "refused"}));
    BOOST_TEST(!ledger.has_result_to_send_alone());
}

BOOST_AUTO_TEST_CASE(results_the_host_did_not_just_produce_go_alone) {
    ResultLedger ledger;
    ledger.add(PendingResult::give_back("g", "T", R"({"jid":"g","jobtype":"T","args":[]})"));
    BOOST_TEST(!ledger.take_for_fetch(8).has_value());
    ResultLedger crashed;
    crashed.add(PendingResult::fail("c", "T", FailureReport{"WorkerCrashed", "m", {}}));
    BOOST_TEST(!crashed.take_for_fetch(8).has_value());
}

BOOST_AUTO_TEST_CASE(a_newer_result_added_meanwhile_wins_over_the_one_put_back) {
    ResultLedger ledger;
    ledger.add(fresh_ack("j"));
    auto taken = ledger.take_for_fetch(8);
    auto newer = PendingResult::fail("j", "T", FailureReport{"E", "second run", {}});
    newer.with_next_fetch = true;
    ledger.add(newer);
    ledger.put_back(std::move(taken->front()));
    BOOST_TEST(ledger.size() == 1u);
    ledger.flush([](const PendingResult& r) { BOOST_TEST(r.failure.has_value()); });
}

BOOST_AUTO_TEST_CASE(while_refusals_hold_re_sends_back_nothing_is_taken_for_a_fetch) {
    ResultLedger ledger;
    ledger.add(fresh_ack("a"));
    ledger.refused();
    BOOST_TEST(!ledger.take_for_fetch(8).has_value());
    ledger.delivered();
    BOOST_TEST(ledger.take_for_fetch(8)->size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_flush_marks_the_result_it_tried_for_a_lone_re_send) {
    ResultLedger ledger;
    ledger.add(fresh_ack("a"));
    BOOST_CHECK_THROW(ledger.flush([](const PendingResult&) { throw std::runtime_error("lost"); }), std::runtime_error);
    BOOST_TEST(ledger.has_result_to_send_alone());
}

BOOST_AUTO_TEST_SUITE_END()
