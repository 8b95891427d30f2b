// What every processor is doing right now: fetching, or running which job
// since when. The control loop reads it to decide when a drain is idle, to
// fire per-job time limits and reservation warnings, and to settle the jobs
// still running at shutdown (FAIL or give back); the SIGTTIN dump (describe)
// reads it too. Thread-safe.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "worker/job_policy.hpp"

namespace faktory_host::worker {

// What the board is told about a job as it starts.
struct JobTicket {
    std::string jid;
    std::string jobtype;
    std::string payload;     // the job's JSON as fetched: what a shutdown gives back
    bool retry_left = true;  // a FAIL now would be retried (not discarded, not buried)
    std::chrono::milliseconds reservation{std::chrono::minutes(30)};  // the server's hold on it
    std::optional<std::chrono::milliseconds> limit;                   // the effective time limit
    // Which limit that is, for the messages of a timeout: the rule and margin
    // are kept and described only when a message needs them (the text cost
    // more than the rest of a no-op job's bookkeeping).
    TimeLimit limit_rule;
    std::chrono::milliseconds margin{0};
};

struct RunningJob {
    std::string pool;
    unsigned index = 0;
    std::string jid;
    std::string jobtype;
    std::string payload;
    bool retry_left = true;
    std::chrono::milliseconds reservation{std::chrono::minutes(30)};
    std::chrono::steady_clock::time_point started;
    std::optional<std::chrono::milliseconds> limit;  // min(worker.job_timeout, reservation - margin)
    TimeLimit limit_rule;
    std::chrono::milliseconds margin{0};
    std::stop_source stop;                           // the plugin's cancelled() follows it
    // Written under the board's lock only:
    bool timed_out = false;
    bool reservation_warned = false;
    bool failed_by_shutdown = false;  // the shutdown already reported it (FAIL or give-back); drop a late result

    // Which limit applies, for the messages of a timeout ("worker.job_timeout
    // (N ms)" or the reservation less the margin): the ticket's text, else made now.
    std::string describe_limit() const;
};

struct JobEnd {
    bool timed_out = false;           // the limit fired before the handler returned
    bool failed_by_shutdown = false;  // someone else already reported this job
};

class BusyBoard {
public:
    void fetch_started();
    void fetch_ended();  // without a job
    // The fetch returned a job that starts now; ends the fetch in the same step so
    // the board is never seen idle in between.
    std::shared_ptr<RunningJob> job_started(std::string pool, unsigned index, JobTicket ticket);
    JobEnd job_ended(const std::shared_ptr<RunningJob>& job);

    // Jobs whose limit passed and had not timed out yet: marks them and requests their stop.
    std::vector<std::shared_ptr<RunningJob>> expire_overdue(std::chrono::steady_clock::time_point now);
    // Jobs past 80% of their reservation, each reported once.
    std::vector<std::shared_ptr<RunningJob>> near_reservation_end(std::chrono::steady_clock::time_point now);
    // Every job still running: marks each failed_by_shutdown and requests its stop.
    std::vector<std::shared_ptr<RunningJob>> claim_for_shutdown();

    bool idle() const;  // nobody fetching, no job running
    std::size_t running() const;
    // One line per running job: pool, thread index, jid, jobtype, elapsed ms.
    std::string describe(std::chrono::steady_clock::time_point now) const;

private:
    mutable std::mutex mutex_;
    int fetching_ = 0;
    std::vector<std::shared_ptr<RunningJob>> running_;
};

} // namespace faktory_host::worker
