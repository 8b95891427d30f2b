// What the host derives from a fetched job's own fields: how long it may run
// (the smaller of worker.job_timeout and its reservation less a safety
// margin, so the server never hands a second copy to another worker while
// this one still runs), and whether a FAIL now would be retried rather than
// discard the job (retry: 0) or bury it (retry: -1, or the last retry used).
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "protocol/job.hpp"

namespace faktory_host::worker {

// Faktory's reservation of `job`: reserve_for seconds clamped to 60..86400, 1800 when absent or 0.
std::chrono::seconds reservation_of(const protocol::Job& job);

struct TimeLimit {
    enum class Source { job_timeout, reservation };
    std::chrono::milliseconds after{0};
    Source source = Source::job_timeout;
    // "worker.job_timeout (N ms)" or "its reservation (reserve_for N s) less the M ms safety margin".
    std::string describe(std::chrono::milliseconds reservation, std::chrono::milliseconds margin) const;
};

// min(job_timeout, reservation - margin); the reservation wins ties, as the harder limit.
TimeLimit time_limit(std::optional<std::chrono::milliseconds> job_timeout, std::chrono::milliseconds reservation,
                     std::chrono::milliseconds margin);

// True when a FAIL now would schedule a retry: retry (25 when absent) is above
// zero and the failure count after this FAIL (failure.retry_count + 1, or 0
// for a first failure) stays below it.
bool has_retry_left(const protocol::Job& job);

} // namespace faktory_host::worker
