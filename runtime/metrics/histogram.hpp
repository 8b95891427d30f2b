// A Prometheus histogram with fixed buckets, written by exactly one thread and
// read by a scrape at any time: plain relaxed loads and stores of atomics, no
// read-modify-write and no lock, so recording costs a few nanoseconds.
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace faktory_host::metrics {

// Upper bounds (seconds) of the buckets; +Inf is implied.
std::span<const double> job_duration_buckets();
std::span<const double> fetch_wait_buckets();

// A point-in-time copy, mergeable across threads.
struct HistogramSnapshot {
    std::vector<double> bounds;            // as the buckets were defined
    std::vector<std::uint64_t> counts;     // per bucket, NOT cumulative; one more than bounds (+Inf)
    std::uint64_t count = 0;
    double sum_seconds = 0;

    void merge(const HistogramSnapshot& other);  // bounds must match (or this one be empty)
};

class SingleWriterHistogram {
public:
    static constexpr std::size_t max_buckets = 20;

    explicit SingleWriterHistogram(std::span<const double> bounds);

    // Only the owning thread may call this.
    void observe(double seconds);
    // Any thread.
    HistogramSnapshot snapshot() const;

private:
    static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
        counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    }

    std::span<const double> bounds_;
    std::array<std::atomic<std::uint64_t>, max_buckets + 1> counts_{};
    std::atomic<std::uint64_t> sum_nanoseconds_{0};
};

} // namespace faktory_host::metrics
