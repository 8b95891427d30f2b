// QueuePicker: strict order is the configured order; weighted order honours the weights.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "worker/queue_picker.hpp"

using faktory_host::config::QueueSelection;
using faktory_host::worker::QueuePicker;

namespace {
QueueSelection selection(QueueSelection::Order order, std::vector<std::string> queues,
                         std::vector<unsigned> weights = {}) {
    QueueSelection s;
    s.order = order;
    s.queues = std::move(queues);
    s.weights = std::move(weights);
    return s;
}
} // namespace

BOOST_AUTO_TEST_SUITE(queue_picker)

BOOST_AUTO_TEST_CASE(strict_order_always_fetches_every_queue_in_configured_order) {
    QueuePicker picker(selection(QueueSelection::Order::strict, {"critical", "default", "low"}), 1);
    for (int i = 0; i < 100; ++i)
        BOOST_TEST(picker.next() == (std::vector<std::string>{"critical", "default", "low"}),
                   boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(weighted_order_is_a_permutation_of_all_queues) {
    QueuePicker picker(selection(QueueSelection::Order::weighted, {"a", "b", "c", "d"}, {5, 1, 3, 1}), 7);
    for (int i = 0; i < 500; ++i) {
        auto order = picker.next();
        BOOST_TEST(order.size() == 4u);
        BOOST_TEST(std::set<std::string>(order.begin(), order.end()) == (std::set<std::string>{"a", "b", "c", "d"}));
    }
}

BOOST_AUTO_TEST_CASE(weighted_order_puts_each_queue_first_in_proportion_to_its_weight) {
    QueuePicker picker(selection(QueueSelection::Order::weighted, {"high", "mid", "low"}, {6, 3, 1}), 42);
    std::map<std::string, int> first;
    const int draws = 20000;
    for (int i = 0; i < draws; ++i) ++first[picker.next().front()];
    // Expected shares 60% / 30% / 10%; bounds are generous so the test is not flaky.
    BOOST_TEST(first["high"] > draws * 50 / 100);
    BOOST_TEST(first["high"] < draws * 70 / 100);
    BOOST_TEST(first["mid"] > draws * 22 / 100);
    BOOST_TEST(first["mid"] < draws * 38 / 100);
    BOOST_TEST(first["low"] > draws * 5 / 100);
    BOOST_TEST(first["low"] < draws * 15 / 100);
}

BOOST_AUTO_TEST_CASE(weighted_order_varies_between_fetches) {
    QueuePicker picker(selection(QueueSelection::Order::weighted, {"a", "b"}, {1, 1}), 3);
    std::set<std::vector<std::string>> seen;
    for (int i = 0; i < 200; ++i) seen.insert(picker.next());
    BOOST_TEST(seen.size() == 2u);
}

BOOST_AUTO_TEST_CASE(missing_or_zero_weights_count_as_one) {
    QueuePicker picker(selection(QueueSelection::Order::weighted, {"a", "b", "c"}, {0}), 11);
    std::map<std::string, int> first;
    for (int i = 0; i < 3000; ++i) ++first[picker.next().front()];
    for (const auto& q : {"a", "b", "c"}) BOOST_TEST(first[q] > 600);
}

BOOST_AUTO_TEST_SUITE_END()
