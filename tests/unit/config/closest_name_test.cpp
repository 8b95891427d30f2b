// closest_name: the suggestion behind "did you mean ...?" for unknown keys.
#include <boost/test/unit_test.hpp>

#include "config/closest_name.hpp"

using faktory_host::config::closest_name;
using faktory_host::config::edit_distance;

BOOST_AUTO_TEST_SUITE(closest_name_suggestion)

BOOST_AUTO_TEST_CASE(edit_distance_counts_inserts_deletes_and_substitutions) {
    BOOST_TEST(edit_distance("", "") == 0u);
    BOOST_TEST(edit_distance("abc", "") == 3u);
    BOOST_TEST(edit_distance("concurency", "concurrency") == 1u);
    BOOST_TEST(edit_distance("kitten", "sitting") == 3u);
}

BOOST_AUTO_TEST_CASE(a_typo_gets_the_nearest_valid_name) {
    const std::vector<std::string_view> keys{"concurrency", "queues", "weights", "labels"};
    BOOST_TEST(closest_name("concurency", keys).value() == "concurrency");
    BOOST_TEST(closest_name("queue", keys).value() == "queues");
    BOOST_TEST(closest_name("wieghts", keys).value() == "weights");
}

BOOST_AUTO_TEST_CASE(a_word_unlike_every_name_gets_no_suggestion) {
    const std::vector<std::string_view> keys{"concurrency", "queues"};
    BOOST_TEST(!closest_name("retries", keys).has_value());
    BOOST_TEST(!closest_name("x", std::vector<std::string_view>{}).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
