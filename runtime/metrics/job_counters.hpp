// Per-thread job counters: each processor thread owns its own set (found
// through a thread_local pointer), so recording a job takes no lock and no
// read-modify-write; a scrape sums every thread's set. Sets are never freed,
// so counts survive their thread and counters never go backwards.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "metrics/histogram.hpp"

namespace faktory_host::metrics {

// A job's handler returned (or timed out) and its ACK or FAIL went to the ledger.
void record_job(const std::string& pool, const std::string& jobtype, bool acked, double seconds);
// One FETCH finished (with or without a job) after `seconds`.
void record_fetch_wait(double seconds);

// Counts the calling thread's job as in flight in `pool` for its lifetime.
class InFlightJob {
public:
    explicit InFlightJob(const std::string& pool);
    ~InFlightJob();
    InFlightJob(const InFlightJob&) = delete;
    InFlightJob& operator=(const InFlightJob&) = delete;

private:
    void* slot_;
};

// Jobtypes a single thread keeps apart; more (e.g. a flood of unknown jobtypes
// from the server) are counted under this one, so a scrape stays bounded.
constexpr std::size_t max_jobtypes_per_thread = 200;
constexpr const char* overflow_jobtype = "_other";

struct JobCountsSnapshot {
    struct Counts {
        std::uint64_t ack = 0;
        std::uint64_t fail = 0;
        HistogramSnapshot duration;
    };
    std::map<std::pair<std::string, std::string>, Counts> by_pool_and_jobtype;
    std::map<std::string, std::int64_t> in_flight_by_pool;
    HistogramSnapshot fetch_wait;
};

// Sums every thread's counters (takes the registry lock; never the job path's).
JobCountsSnapshot snapshot_job_counts();

} // namespace faktory_host::metrics
