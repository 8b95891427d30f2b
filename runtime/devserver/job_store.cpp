// JobStore: Faktory's job life cycle (push, fetch, ack, fail, retry, dead) in memory.
#include "devserver/job_store.hpp"

#include <algorithm>

#include <Poco/Glob.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "devserver/retry_delay.hpp"

namespace faktory_host::devserver {

namespace {

constexpr auto default_reservation = std::chrono::seconds(1800);
constexpr auto dead_job_lifetime = std::chrono::hours(180 * 24);

std::chrono::seconds reservation_for(const StoredJob& job) {
    if (job.reserve_for == 0) return default_reservation;
    return std::chrono::seconds(std::clamp<std::int64_t>(job.reserve_for, 60, 86400));
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n\v\f");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n\v\f");
    return text.substr(first, last - first + 1);
}

// Cut to at most `limit` bytes without splitting a UTF-8 sequence.
std::string cut(std::string text, std::size_t limit) {
    if (text.size() <= limit) return text;
    std::size_t end = limit;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.resize(end);
    return text;
}

// As Faktory cleans a FAIL payload before storing it.
FailReport cleansed(const FailReport& report) {
    FailReport clean;
    clean.jid = report.jid;
    clean.errtype = trim(report.errtype);
    clean.errtype = clean.errtype.empty() ? "unknown" : cut(clean.errtype, 100);
    clean.message = trim(report.message);
    clean.message = clean.message.empty() ? "unknown" : cut(clean.message, 1000);
    clean.backtrace = report.backtrace;
    if (clean.backtrace.size() > 50) clean.backtrace.resize(50);
    return clean;
}

Poco::JSON::Array::Ptr jobs_array(const std::vector<const StoredJob*>& jobs) {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const StoredJob* job : jobs) {
        Poco::JSON::Parser parser;
        array->add(parser.parse(job->json));
    }
    return array;
}

} // namespace

JobStore::JobStore(const ServerClock& clock) : clock_(clock) {}

void JobStore::push(StoredJob job) {
    const TimePoint now = clock_.now();
    if (job.created_at.empty()) job.created_at = format_rfc3339(now);
    std::lock_guard lock(mutex_);
    if (!job.at.empty()) {
        const auto when = parse_rfc3339(job.at);
        if (when && *when > now) {
            job.render();
            scheduled_.emplace(*when, std::move(job));
            return;
        }
    }
    enqueue_locked(std::move(job), now);
}

void JobStore::enqueue_locked(StoredJob job, TimePoint now) {
    job.enqueued_at = format_rfc3339(now);
    job.render();
    const std::string name = job.queue;
    Queue& queue = queues_[name];
    queue.jobs.push_back(std::move(job));
    if (!queue.paused) signal_one_waiter_locked(name);
}

void JobStore::signal_one_waiter_locked(const std::string& queue) {
    for (Waiter* waiter : waiters_) {
        if (waiter->signalled) continue;
        if (std::find(waiter->queues->begin(), waiter->queues->end(), queue) == waiter->queues->end()) continue;
        waiter->signalled = true;
        waiter->wake.notify_one();
        return;
    }
}

void JobStore::signal_waiters_with_work_locked() {
    for (Waiter* waiter : waiters_) {
        for (const std::string& name : *waiter->queues) {
            const auto it = queues_.find(name);
            if (it != queues_.end() && !it->second.paused && !it->second.jobs.empty()) {
                waiter->signalled = true;
                waiter->wake.notify_one();
                break;
            }
        }
    }
}

void JobStore::wake_all_fetchers() {
    std::lock_guard lock(mutex_);
    for (Waiter* waiter : waiters_) {
        waiter->signalled = true;
        waiter->wake.notify_one();
    }
}

void JobStore::set_fetching_closed(bool closed) {
    std::lock_guard lock(mutex_);
    fetching_closed_ = closed;
    for (Waiter* waiter : waiters_) {
        waiter->signalled = true;
        waiter->wake.notify_one();
    }
}

std::optional<StoredJob> JobStore::pop_locked(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        const auto it = queues_.find(name);
        if (it == queues_.end() || it->second.paused || it->second.jobs.empty()) continue;
        StoredJob job = std::move(it->second.jobs.front());
        it->second.jobs.pop_front();
        return job;
    }
    return std::nullopt;
}

std::optional<std::string> JobStore::fetch(const std::vector<std::string>& names, const std::string& wid,
                                           std::chrono::milliseconds wait, const std::atomic<bool>& abandon) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    std::unique_lock lock(mutex_);
    Waiter waiter{&names, {}, false};
    bool registered = false;
    auto leave = [&] {
        if (!registered) return;
        waiters_.remove(&waiter);
        registered = false;
    };
    while (true) {
        if (fetching_closed_) {
            leave();
            return std::nullopt;
        }
        if (auto job = pop_locked(names)) {
            leave();
            std::string json = job->json;
            const auto expires = clock_.now() + reservation_for(*job);
            const std::string jid = job->jid;
            working_.insert_or_assign(jid, Reservation{std::move(*job), wid, expires});
            return json;
        }
        if (abandon.load() || std::chrono::steady_clock::now() >= deadline) {
            const bool was_signalled = waiter.signalled;
            leave();
            // A push meant for us may have raced our timeout: hand it on.
            if (was_signalled) signal_waiters_with_work_locked();
            return std::nullopt;
        }
        if (!registered) {
            waiters_.push_back(&waiter);
            registered = true;
        }
        waiter.signalled = false;
        waiter.wake.wait_until(lock, deadline, [&] { return waiter.signalled; });
    }
}

void JobStore::ack(const std::string& jid) {
    std::lock_guard lock(mutex_);
    if (working_.erase(jid) > 0) ++counters_.processed;
}

void JobStore::fail(const FailReport& report) {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    const auto it = working_.find(report.jid);
    if (it == working_.end()) throw CommandRefused("Job not found " + report.jid);
    Reservation reservation = std::move(it->second);
    working_.erase(it);
    fail_locked(std::move(reservation), cleansed(report), now);
}

void JobStore::fail_locked(Reservation reservation, const FailReport& report, TimePoint now) {
    ++counters_.failures;
    ++counters_.processed;
    StoredJob& job = reservation.job;
    if (job.failure) {
        ++job.failure->retry_count;
        if (job.failure->remaining > 0) --job.failure->remaining;
    } else {
        job.failure = protocol::JobFailure{};
        job.failure->remaining = job.retry;
        job.failure->failed_at = format_rfc3339(now);
    }
    job.failure->message = report.message;
    job.failure->errtype = report.errtype;
    job.failure->backtrace = report.backtrace;
    if (job.retry == 0) return;  // ephemeral: no retry, no dead set
    if (job.failure->retry_count < job.retry) {
        const TimePoint when = now + retry_delay(job.failure->retry_count);
        job.failure->next_at = format_rfc3339(when);
        job.render();
        retries_.emplace(when, std::move(job));
    } else {
        job.render();
        dead_.emplace(now + dead_job_lifetime, std::move(job));
    }
}

std::size_t JobStore::expire_reservations() {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    std::vector<std::string> overdue;
    for (const auto& [jid, reservation] : working_)
        if (reservation.expires_at <= now) overdue.push_back(jid);
    const FailReport expired{"", "ReservationExpired", "Faktory job reservation expired", {}};
    for (const std::string& jid : overdue) {
        auto node = working_.extract(jid);
        fail_locked(std::move(node.mapped()), expired, now);
    }
    return overdue.size();
}

std::size_t JobStore::enqueue_due_locked(JobSet& set, TimePoint now) {
    std::size_t moved = 0;
    while (!set.empty() && set.begin()->first <= now) {
        auto node = set.extract(set.begin());
        enqueue_locked(std::move(node.mapped()), now);
        ++moved;
    }
    return moved;
}

std::size_t JobStore::enqueue_due_jobs() { return enqueue_due_scheduled() + enqueue_due_retries(); }

std::size_t JobStore::enqueue_due_scheduled() {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    return enqueue_due_locked(scheduled_, now);
}

std::size_t JobStore::enqueue_due_retries() {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    return enqueue_due_locked(retries_, now);
}

std::size_t JobStore::drop_expired_dead() {
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    std::size_t dropped = 0;
    while (!dead_.empty() && dead_.begin()->first <= now) {
        dead_.erase(dead_.begin());
        ++dropped;
    }
    return dropped;
}

void JobStore::flush() {
    std::lock_guard lock(mutex_);
    // Faktory empties its storage but keeps the queues it has seen (and
    // which of them are paused) in memory: INFO still lists them, size 0.
    for (auto& [name, queue] : queues_) queue.jobs.clear();
    scheduled_.clear();
    retries_.clear();
    dead_.clear();
    working_.clear();
    counters_ = {};
}

template <typename Visit>
void JobStore::for_each_named_queue_locked(const std::vector<std::string>& names, Visit&& visit) {
    const bool all = !names.empty() && names.front() == "*";
    if (all) {
        for (auto it = queues_.begin(); it != queues_.end();) {
            auto current = it++;
            visit(current);
        }
        return;
    }
    for (const std::string& name : names) {
        const auto it = queues_.find(name);
        if (it != queues_.end()) visit(it);  // Faktory ignores queues it does not know
    }
}

void JobStore::pause_queues(const std::vector<std::string>& names) {
    std::lock_guard lock(mutex_);
    for_each_named_queue_locked(names, [](auto it) { it->second.paused = true; });
}

void JobStore::resume_queues(const std::vector<std::string>& names) {
    std::lock_guard lock(mutex_);
    for_each_named_queue_locked(names, [](auto it) { it->second.paused = false; });
    signal_waiters_with_work_locked();
}

void JobStore::remove_queues(const std::vector<std::string>& names) {
    std::lock_guard lock(mutex_);
    for_each_named_queue_locked(names, [this](auto it) { queues_.erase(it); });
}

void JobStore::mutate(const Poco::JSON::Object::Ptr& operation) {
    const std::string cmd = operation->optValue<std::string>("cmd", "");
    const std::string target = operation->optValue<std::string>("target", "");
    std::lock_guard lock(mutex_);
    JobSet* set = target == "retries" ? &retries_ : target == "dead" ? &dead_ : target == "scheduled" ? &scheduled_
                                                                                                      : nullptr;
    if (cmd != "clear" && cmd != "kill" && cmd != "discard" && cmd != "requeue")
        throw CommandRefused("unknown mutate operation");
    if (set == nullptr) throw CommandRefused("invalid target for mutation command");

    // Faktory matches filters against the stored JSON text; so do we.
    const auto filter = operation->getObject("filter");
    auto matches = [&](const StoredJob& job) {
        if (cmd == "clear" || filter.isNull()) return true;
        const std::string regexp = filter->optValue<std::string>("regexp", "");
        const std::string jobtype = filter->optValue<std::string>("jobtype", "");
        if (!regexp.empty()) {
            if (!Poco::Glob(regexp).match(job.json)) return false;
            return jobtype.empty() || job.json.find("\"jobtype\":\"" + jobtype + "\"") != std::string::npos;
        }
        if (!jobtype.empty()) return job.jobtype == jobtype;
        const auto jids = filter->getArray("jids");
        if (!jids.isNull() && jids->size() > 0) {
            for (std::size_t i = 0; i < jids->size(); ++i)
                if (jids->getElement<std::string>(static_cast<unsigned>(i)) == job.jid) return true;
            return false;
        }
        return true;
    };

    if (cmd == "kill" && set == &dead_) return;  // already dead
    const TimePoint now = clock_.now();
    for (auto it = set->begin(); it != set->end();) {
        if (!matches(it->second)) {
            ++it;
            continue;
        }
        auto node = set->extract(it++);
        if (cmd == "kill") {
            dead_.emplace(now + dead_job_lifetime, std::move(node.mapped()));
        } else if (cmd == "requeue") {
            // Faktory pushes the stored payload back as it is.
            StoredJob job = std::move(node.mapped());
            const std::string name = job.queue;
            queues_[name].jobs.push_back(std::move(job));
            if (!queues_[name].paused) signal_one_waiter_locked(name);
        }
    }
}

JobStore::Counters JobStore::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

JobStore::SetSizes JobStore::set_sizes() const {
    std::lock_guard lock(mutex_);
    return {static_cast<std::int64_t>(scheduled_.size()), static_cast<std::int64_t>(retries_.size()),
            static_cast<std::int64_t>(dead_.size()), static_cast<std::int64_t>(working_.size())};
}

JobStore::Snapshot JobStore::snapshot() const {
    Snapshot out;
    std::lock_guard lock(mutex_);
    out.counters = counters_;
    for (const auto& [name, queue] : queues_)
        out.queues.push_back({name, queue.paused, std::vector<StoredJob>(queue.jobs.begin(), queue.jobs.end())});
    for (const auto& [when, job] : scheduled_) out.scheduled.emplace_back(when, job);
    for (const auto& [when, job] : retries_) out.retries.emplace_back(when, job);
    for (const auto& [when, job] : dead_) out.dead.emplace_back(when, job);
    for (const auto& [jid, reservation] : working_)
        out.working.push_back({reservation.job, reservation.wid, reservation.expires_at});
    return out;
}

void JobStore::restore(Snapshot snapshot) {
    std::lock_guard lock(mutex_);
    counters_ = snapshot.counters;
    queues_.clear();
    for (auto& contents : snapshot.queues) {
        Queue& queue = queues_[contents.name];
        queue.paused = contents.paused;
        for (auto& job : contents.jobs) queue.jobs.push_back(std::move(job));
    }
    auto refill = [](JobSet& set, std::vector<std::pair<TimePoint, StoredJob>>& entries) {
        set.clear();
        for (auto& [when, job] : entries) set.emplace(when, std::move(job));
    };
    refill(scheduled_, snapshot.scheduled);
    refill(retries_, snapshot.retries);
    refill(dead_, snapshot.dead);
    working_.clear();
    for (auto& reserved : snapshot.working) {
        const std::string jid = reserved.job.jid;
        working_.insert_or_assign(jid, Reservation{std::move(reserved.job), reserved.wid, reserved.expires_at});
    }
    signal_waiters_with_work_locked();
}

std::map<std::string, std::int64_t> JobStore::queue_sizes() const {
    std::lock_guard lock(mutex_);
    std::map<std::string, std::int64_t> sizes;
    for (const auto& [name, queue] : queues_) sizes[name] = static_cast<std::int64_t>(queue.jobs.size());
    return sizes;
}

void JobStore::describe(Poco::JSON::Object& into) const {
    std::vector<const StoredJob*> scheduled, retries, dead, working;
    Poco::JSON::Object::Ptr queues = new Poco::JSON::Object;
    std::lock_guard lock(mutex_);
    for (const auto& [name, queue] : queues_) queues->set(name, static_cast<std::int64_t>(queue.jobs.size()));
    for (const auto& [when, job] : scheduled_) scheduled.push_back(&job);
    for (const auto& [when, job] : retries_) retries.push_back(&job);
    for (const auto& [when, job] : dead_) dead.push_back(&job);
    for (const auto& [jid, reservation] : working_) working.push_back(&reservation.job);
    into.set("processed", counters_.processed);
    into.set("failed", counters_.failures);
    into.set("queues", queues);
    into.set("scheduled", jobs_array(scheduled));
    into.set("retries", jobs_array(retries));
    into.set("dead", jobs_array(dead));
    into.set("working", jobs_array(working));
}

} // namespace faktory_host::devserver
