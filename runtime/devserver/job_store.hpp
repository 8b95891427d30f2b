// Everything the dev server holds about jobs: queues (FIFO, pausable), the
// scheduled, retry and dead sets, the working set of reservations, and the
// processed/failed counters. One mutex; a blocked FETCH waits on its own
// condition variable and is woken only by a push to a queue it listens on.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <Poco/JSON/Object.h>

#include "devserver/server_clock.hpp"
#include "devserver/stored_job.hpp"

namespace faktory_host::devserver {

struct FailReport {
    std::string jid;
    std::string errtype;
    std::string message;
    std::vector<std::string> backtrace;
};

// A command the server refuses; what() is the text after "-ERR ".
class CommandRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class JobStore {
public:
    explicit JobStore(const ServerClock& clock);

    // Validated job: enqueued now, or scheduled when `at` is in the future.
    void push(StoredJob job);

    // First job of the first non-empty, unpaused queue in `queues`, reserved for
    // `wid`; waits up to `wait` for one. Returns the job's JSON. Gives up early
    // when `abandon` turns true (the connection is being dropped).
    std::optional<std::string> fetch(const std::vector<std::string>& queues, const std::string& wid,
                                     std::chrono::milliseconds wait, const std::atomic<bool>& abandon);
    // Wakes every blocked fetch so it can notice its `abandon` flag.
    void wake_all_fetchers();
    // While closed (a shutdown), FETCH hands out nothing and a blocked one
    // returns empty at once, so no job is reserved for a reply that a closing
    // connection could lose.
    void set_fetching_closed(bool closed);

    void ack(const std::string& jid);            // unknown jid: nothing happens, as in Faktory
    void fail(const FailReport& report);         // throws CommandRefused("Job not found <jid>")

    // Periodic work, all relative to the server clock.
    std::size_t expire_reservations();  // FAILs overdue reservations with ReservationExpired
    std::size_t enqueue_due_jobs();     // scheduled and retry jobs whose time has come
    std::size_t enqueue_due_scheduled();
    std::size_t enqueue_due_retries();
    std::size_t drop_expired_dead();    // dead jobs kept past their lifetime (180 days)

    void flush();
    void pause_queues(const std::vector<std::string>& names);   // "*" = all
    void resume_queues(const std::vector<std::string>& names);
    void remove_queues(const std::vector<std::string>& names);
    void mutate(const Poco::JSON::Object::Ptr& operation);  // throws CommandRefused

    struct Counters {
        std::int64_t processed = 0;
        std::int64_t failures = 0;
    };
    Counters counters() const;
    // What INFO's tasks report as each set's size: jobs in it now.
    struct SetSizes {
        std::int64_t scheduled = 0;
        std::int64_t retries = 0;
        std::int64_t dead = 0;
        std::int64_t working = 0;  // reservations
    };
    SetSizes set_sizes() const;

    // Everything the store holds, for a restart of the process (state file).
    struct ReservedJob {
        StoredJob job;
        std::string wid;
        TimePoint expires_at;
    };
    struct QueueContents {
        std::string name;
        bool paused = false;
        std::vector<StoredJob> jobs;  // FIFO order
    };
    struct Snapshot {
        Counters counters;
        std::vector<QueueContents> queues;
        std::vector<std::pair<TimePoint, StoredJob>> scheduled;  // due time
        std::vector<std::pair<TimePoint, StoredJob>> retries;    // due time
        std::vector<std::pair<TimePoint, StoredJob>> dead;       // time it is dropped
        std::vector<ReservedJob> working;
    };
    Snapshot snapshot() const;
    void restore(Snapshot snapshot);  // replaces everything held now
    std::map<std::string, std::int64_t> queue_sizes() const;
    // The job sets for /stats: scheduled, retries, dead and working as arrays of jobs.
    void describe(Poco::JSON::Object& into) const;

private:
    struct Queue {
        std::deque<StoredJob> jobs;
        bool paused = false;
    };
    struct Reservation {
        StoredJob job;
        std::string wid;
        TimePoint expires_at;
    };
    struct Waiter {
        const std::vector<std::string>* queues;
        std::condition_variable wake;
        bool signalled = false;
    };
    using JobSet = std::multimap<TimePoint, StoredJob>;

    void enqueue_locked(StoredJob job, TimePoint now);
    std::size_t enqueue_due_locked(JobSet& set, TimePoint now);
    std::optional<StoredJob> pop_locked(const std::vector<std::string>& queues);
    void signal_one_waiter_locked(const std::string& queue);
    void signal_waiters_with_work_locked();
    void fail_locked(Reservation reservation, const FailReport& report, TimePoint now);
    template <typename Visit>
    void for_each_named_queue_locked(const std::vector<std::string>& names, Visit&& visit);

    const ServerClock& clock_;
    mutable std::mutex mutex_;
    std::map<std::string, Queue> queues_;
    JobSet scheduled_;
    JobSet retries_;
    JobSet dead_;
    std::unordered_map<std::string, Reservation> working_;
    std::list<Waiter*> waiters_;
    Counters counters_;
    bool fetching_closed_ = false;
};

} // namespace faktory_host::devserver
