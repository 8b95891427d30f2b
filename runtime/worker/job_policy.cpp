// Time limits and retry policy read from a job's fields.
#include "worker/job_policy.hpp"

#include <algorithm>

namespace faktory_host::worker {

std::chrono::seconds reservation_of(const protocol::Job& job) {
    const int declared = job.reserve_for().value_or(0);
    if (declared <= 0) return std::chrono::seconds(1800);
    return std::chrono::seconds(std::clamp(declared, 60, 86400));
}

std::string TimeLimit::describe(std::chrono::milliseconds reservation, std::chrono::milliseconds margin) const {
    if (source == Source::job_timeout) return "worker.job_timeout (" + std::to_string(after.count()) + " ms)";
    return "its reservation (reserve_for " + std::to_string(reservation.count() / 1000) + " s) less the " +
           std::to_string(margin.count()) + " ms safety margin (" + std::to_string(after.count()) + " ms)";
}

TimeLimit time_limit(std::optional<std::chrono::milliseconds> job_timeout, std::chrono::milliseconds reservation,
                     std::chrono::milliseconds margin) {
    const TimeLimit by_reservation{std::max(reservation - margin, std::chrono::milliseconds(0)),
                                   TimeLimit::Source::reservation};
    if (job_timeout && *job_timeout < by_reservation.after) return TimeLimit{*job_timeout, TimeLimit::Source::job_timeout};
    return by_reservation;
}

bool has_retry_left(const protocol::Job& job) {
    const int retry = job.retry().value_or(25);
    if (retry <= 0) return false;
    const bool failed_before = job.fields()->getObject("failure") != nullptr;
    const int failures_after = failed_before ? job.retry_count() + 1 : 0;
    return failures_after < retry;
}

} // namespace faktory_host::worker
