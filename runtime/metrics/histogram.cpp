// Bucket layouts and the single-writer histogram.
#include "metrics/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace faktory_host::metrics {

namespace {

// Jobs run from milliseconds to many minutes.
constexpr double job_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900};
// FETCH answers at once when work is queued and blocks up to 2 s when not.
constexpr double fetch_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 5};

} // namespace

std::span<const double> job_duration_buckets() { return job_bounds; }
std::span<const double> fetch_wait_buckets() { return fetch_bounds; }

void HistogramSnapshot::merge(const HistogramSnapshot& other) {
    if (bounds.empty() && counts.empty()) {
        *this = other;
        return;
    }
    if (bounds != other.bounds) throw std::logic_error("merging histograms with different buckets");
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
    count += other.count;
    sum_seconds += other.sum_seconds;
}

SingleWriterHistogram::SingleWriterHistogram(std::span<const double> bounds) : bounds_(bounds) {
    if (bounds.size() > max_buckets) throw std::logic_error("too many histogram buckets");
}

void SingleWriterHistogram::observe(double seconds) {
    if (!(seconds >= 0)) seconds = 0;  // also catches NaN
    const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), seconds) -
                                                 bounds_.begin());
    bump(counts_[bucket]);
    bump(sum_nanoseconds_, static_cast<std::uint64_t>(std::llround(seconds * 1e9)));
}

HistogramSnapshot SingleWriterHistogram::snapshot() const {
    HistogramSnapshot out;
    out.bounds.assign(bounds_.begin(), bounds_.end());
    out.counts.resize(bounds_.size() + 1);
    for (std::size_t i = 0; i < out.counts.size(); ++i) {
        out.counts[i] = counts_[i].load(std::memory_order_relaxed);
        out.count += out.counts[i];  // so _count always equals the +Inf bucket
    }
    out.sum_seconds = static_cast<double>(sum_nanoseconds_.load(std::memory_order_relaxed)) / 1e9;
    return out;
}

} // namespace faktory_host::metrics
