// ReconnectBackoff: doubling from the initial delay, capped, jittered within ±jitter, reset by success.
#include <boost/test/unit_test.hpp>

#include <set>

#include "worker/reconnect_backoff.hpp"

using namespace std::chrono_literals;
using faktory_host::worker::BackoffPolicy;
using faktory_host::worker::ReconnectBackoff;

BOOST_AUTO_TEST_SUITE(reconnect_backoff)

BOOST_AUTO_TEST_CASE(delays_double_from_the_initial_delay_within_the_jitter_band) {
    ReconnectBackoff backoff(BackoffPolicy{100ms, 10s, 0.2}, 5);
    std::int64_t base = 100;
    for (int i = 0; i < 6; ++i, base *= 2) {
        auto d = backoff.next_delay().count();
        BOOST_TEST_INFO("attempt " << i << " base " << base << " delay " << d);
        BOOST_TEST(d >= base * 8 / 10);
        BOOST_TEST(d <= base * 12 / 10);
    }
}

BOOST_AUTO_TEST_CASE(delays_stop_growing_at_the_cap_however_long_the_outage) {
    ReconnectBackoff backoff(BackoffPolicy{100ms, 10s, 0.2}, 9);
    for (int i = 0; i < 200; ++i) {
        auto d = backoff.next_delay();
        BOOST_TEST(d <= 12000ms);
        if (i >= 7) BOOST_TEST(d >= 8000ms);  // 100 ms * 2^7 > 10 s: at the cap from here
    }
}

BOOST_AUTO_TEST_CASE(jitter_spreads_delays_across_the_band) {
    std::set<std::int64_t> seen;
    std::int64_t low = 100000, high = 0;
    for (std::uint64_t seed = 0; seed < 300; ++seed) {
        ReconnectBackoff backoff(BackoffPolicy{1000ms, 10s, 0.2}, seed);
        auto d = backoff.next_delay().count();
        seen.insert(d);
        low = std::min(low, d);
        high = std::max(high, d);
    }
    BOOST_TEST(seen.size() > 50u);
    BOOST_TEST(low >= 800);
    BOOST_TEST(high <= 1200);
    BOOST_TEST(low < 900);   // both ends of the band are reached, not just one side
    BOOST_TEST(high > 1100);
}

BOOST_AUTO_TEST_CASE(reset_after_success_starts_the_next_outage_from_the_initial_delay) {
    ReconnectBackoff backoff(BackoffPolicy{100ms, 10s, 0.2}, 1);
    for (int i = 0; i < 10; ++i) backoff.next_delay();
    BOOST_TEST(backoff.failures() == 10u);
    backoff.reset();
    BOOST_TEST(backoff.failures() == 0u);
    BOOST_TEST(backoff.next_delay() <= 120ms);
}

BOOST_AUTO_TEST_SUITE_END()
