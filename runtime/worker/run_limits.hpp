// `run --max-jobs N` and `run --until-empty`: when a run should end by itself
// (cron, CI, Kubernetes Jobs). Max-jobs hands out at most N fetch tokens, so
// no more than N jobs are ever reserved, and is done once N jobs finished.
// Until-empty is done once every pool has come back from an empty FETCH
// after the last job was fetched, that job was `grace` ago, and nothing runs.
// The engine then terminates as usual: results delivered, nothing left
// reserved, the wid ENDed. Thread-safe.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace faktory_host::worker {

class RunLimits {
public:
    using Clock = std::chrono::steady_clock;

    RunLimits(std::optional<std::uint64_t> max_jobs, std::optional<std::chrono::milliseconds> until_empty_grace);

    // Before a FETCH: false when the max-jobs budget is used up (do not fetch).
    bool claim_fetch();
    // After a FETCH that brought no job (or failed): the token goes back.
    void fetch_came_back_empty(const std::string& pool);
    void fetch_failed();
    void job_fetched();
    void job_finished();

    // Why the run is over ("" while it is not). `running` is how many jobs still run.
    std::string finished_because(const std::vector<std::string>& pools, std::size_t running, Clock::time_point now);

private:
    const std::optional<std::uint64_t> max_jobs_;
    const std::optional<std::chrono::milliseconds> grace_;
    std::atomic<std::int64_t> tokens_left_;
    std::atomic<std::uint64_t> finished_{0};
    std::mutex mutex_;  // for until-empty only: once per FETCH, never per running job
    Clock::time_point last_job_fetched_;
    std::map<std::string, Clock::time_point> last_empty_fetch_;
};

} // namespace faktory_host::worker
