// Fetch tokens for max-jobs, empty-FETCH bookkeeping for until-empty.
#include "worker/run_limits.hpp"

namespace faktory_host::worker {

RunLimits::RunLimits(std::optional<std::uint64_t> max_jobs, std::optional<std::chrono::milliseconds> until_empty_grace)
    : max_jobs_(max_jobs), grace_(until_empty_grace),
      tokens_left_(max_jobs ? static_cast<std::int64_t>(*max_jobs) : 0), last_job_fetched_(Clock::now()) {}

bool RunLimits::claim_fetch() {
    if (!max_jobs_) return true;
    if (tokens_left_.fetch_sub(1) > 0) return true;
    tokens_left_.fetch_add(1);
    return false;
}

void RunLimits::fetch_came_back_empty(const std::string& pool) {
    if (max_jobs_) tokens_left_.fetch_add(1);
    if (!grace_) return;
    std::lock_guard lock(mutex_);
    last_empty_fetch_[pool] = Clock::now();
}

void RunLimits::fetch_failed() {
    if (max_jobs_) tokens_left_.fetch_add(1);
}

void RunLimits::job_fetched() {
    if (!grace_) return;
    std::lock_guard lock(mutex_);
    last_job_fetched_ = Clock::now();
}

void RunLimits::job_finished() { finished_.fetch_add(1); }

std::string RunLimits::finished_because(const std::vector<std::string>& pools, std::size_t running,
                                        Clock::time_point now) {
    if (max_jobs_ && finished_.load() >= *max_jobs_)
        return "--max-jobs " + std::to_string(*max_jobs_) + ": that many jobs have finished";
    if (!grace_ || running > 0) return "";
    std::lock_guard lock(mutex_);
    if (now - last_job_fetched_ < *grace_) return "";
    for (const auto& pool : pools) {
        const auto it = last_empty_fetch_.find(pool);
        if (it == last_empty_fetch_.end() || it->second <= last_job_fetched_) return "";
    }
    return "--until-empty: every queue served stayed empty for " + std::to_string(grace_->count()) +
           " ms and nothing runs";
}

} // namespace faktory_host::worker
