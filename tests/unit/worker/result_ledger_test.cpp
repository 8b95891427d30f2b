// ResultLedger: undelivered results stay until sent, are sent once, and a
// failed send keeps them for the next flush.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <thread>
#include <vector>

#include "worker/result_ledger.hpp"

using faktory_host::protocol::FailureReport;
using faktory_host::worker::PendingResult;
using faktory_host::worker::ResultLedger;

BOOST_AUTO_TEST_SUITE(result_ledger)

BOOST_AUTO_TEST_CASE(flush_sends_every_pending_result_once_and_empties_the_ledger) {
    ResultLedger ledger;
    ledger.add({"jid-1", "A", std::nullopt});
    ledger.add({"jid-2", "B", FailureReport{"RuntimeError", "boom", {}}});
    std::vector<std::string> sent;
    ledger.flush([&](const PendingResult& r) { sent.push_back(r.jid + (r.failure ? ":fail" : ":ack")); });
    BOOST_TEST(sent == (std::vector<std::string>{"jid-1:ack", "jid-2:fail"}), boost::test_tools::per_element());
    BOOST_TEST(ledger.empty());
    ledger.flush([&](const PendingResult&) { BOOST_FAIL("nothing should be left to send"); });
}

BOOST_AUTO_TEST_CASE(a_failed_send_keeps_that_result_and_the_untried_ones) {
    ResultLedger ledger;
    ledger.add({"a", "T", std::nullopt});
    ledger.add({"b", "T", std::nullopt});
    ledger.add({"c", "T", std::nullopt});
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
    ledger.add({"j", "T", FailureReport{"E", "first", {}}});
    ledger.add({"j", "T", std::nullopt});
    BOOST_TEST(ledger.size() == 1u);
    ledger.flush([](const PendingResult& r) { BOOST_TEST(!r.failure.has_value()); });
}

BOOST_AUTO_TEST_CASE(concurrent_flushes_never_send_a_result_twice) {
    ResultLedger ledger;
    for (int i = 0; i < 2000; ++i) ledger.add({"jid-" + std::to_string(i), "T", std::nullopt});
    std::atomic<int> sends{0};
    std::vector<std::thread> flushers;
    for (int t = 0; t < 4; ++t)
        flushers.emplace_back([&] { ledger.flush([&](const PendingResult&) { ++sends; }); });
    for (auto& t : flushers) t.join();
    BOOST_TEST(sends.load() == 2000);
    BOOST_TEST(ledger.empty());
}

BOOST_AUTO_TEST_SUITE_END()
