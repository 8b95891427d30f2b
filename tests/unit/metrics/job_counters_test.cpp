// Per-thread job counters: exact sums across threads (no update lost without
// a lock), in-flight gauges, counts that outlive their thread, and the bound
// on distinct jobtypes per thread.
#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

#include "metrics/job_counters.hpp"

using namespace faktory_host::metrics;

namespace {

JobCountsSnapshot::Counts counts_of(const std::string& pool, const std::string& jobtype) {
    const auto snapshot = snapshot_job_counts();
    const auto it = snapshot.by_pool_and_jobtype.find({pool, jobtype});
    return it == snapshot.by_pool_and_jobtype.end() ? JobCountsSnapshot::Counts{} : it->second;
}

} // namespace

BOOST_AUTO_TEST_CASE(counts_from_many_threads_add_up_exactly_while_being_scraped) {
    constexpr int threads = 8, per_thread = 20000;
    std::atomic<bool> done{false};
    std::jthread scraper([&] {
        while (!done) (void)snapshot_job_counts();  // concurrent reads must not disturb the writers
    });
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([t] {
            for (int i = 0; i < per_thread; ++i) {
                record_job("sums", "Sum", (i + t) % 4 != 0, 0.002);
                record_fetch_wait(0.001);
            }
        });
    }
    workers.clear();  // joins
    done = true;
    const auto counts = counts_of("sums", "Sum");
    BOOST_TEST(counts.ack + counts.fail == static_cast<std::uint64_t>(threads * per_thread));
    BOOST_TEST(counts.fail == static_cast<std::uint64_t>(threads * per_thread / 4));
    BOOST_TEST(counts.duration.count == static_cast<std::uint64_t>(threads * per_thread));
    BOOST_TEST(snapshot_job_counts().fetch_wait.count >= static_cast<std::uint64_t>(threads * per_thread));
}

BOOST_AUTO_TEST_CASE(in_flight_counts_a_job_until_its_guard_ends) {
    {
        const InFlightJob job("busy-pool");
        BOOST_TEST(snapshot_job_counts().in_flight_by_pool.at("busy-pool") == 1);
        std::jthread other([] {
            const InFlightJob second("busy-pool");
            BOOST_TEST(snapshot_job_counts().in_flight_by_pool.at("busy-pool") == 2);
        });
    }
    BOOST_TEST(snapshot_job_counts().in_flight_by_pool.at("busy-pool") == 0);
}

BOOST_AUTO_TEST_CASE(a_flood_of_distinct_jobtypes_is_capped_per_thread_into_one_overflow_series) {
    std::jthread flood([] {
        for (std::size_t i = 0; i < max_jobtypes_per_thread + 50; ++i)
            record_job("flood", "Type" + std::to_string(i), true, 0.001);
        record_job("flood", "Type0", true, 0.001);  // known before the cap: still its own series
    });
    flood.join();
    const auto snapshot = snapshot_job_counts();
    std::size_t series = 0;
    for (const auto& [key, counts] : snapshot.by_pool_and_jobtype) series += key.first == "flood";
    BOOST_TEST(series == max_jobtypes_per_thread + 1);
    BOOST_TEST(counts_of("flood", overflow_jobtype).ack == 50u);
    BOOST_TEST(counts_of("flood", "Type0").ack == 2u);
}
