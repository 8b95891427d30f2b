// The board of busy processors.
#include "worker/busy_board.hpp"

#include <algorithm>
#include <sstream>

namespace faktory_host::worker {

void BusyBoard::fetch_started() {
    std::lock_guard lock(mutex_);
    ++fetching_;
}

void BusyBoard::fetch_ended() {
    std::lock_guard lock(mutex_);
    --fetching_;
}

std::shared_ptr<RunningJob> BusyBoard::job_started(std::string pool, unsigned index, JobTicket ticket) {
    auto job = std::make_shared<RunningJob>();
    job->pool = std::move(pool);
    job->index = index;
    job->jid = std::move(ticket.jid);
    job->jobtype = std::move(ticket.jobtype);
    job->payload = std::move(ticket.payload);
    job->retry_left = ticket.retry_left;
    job->reservation = ticket.reservation;
    job->limit = ticket.limit;
    job->limit_rule = ticket.limit_rule;
    job->margin = ticket.margin;
    job->started = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    --fetching_;
    running_.push_back(job);
    return job;
}

std::string RunningJob::describe_limit() const {
    return limit_rule.describe(reservation, margin);
}

JobEnd BusyBoard::job_ended(const std::shared_ptr<RunningJob>& job) {
    std::lock_guard lock(mutex_);
    running_.erase(std::remove(running_.begin(), running_.end(), job), running_.end());
    return JobEnd{job->timed_out, job->failed_by_shutdown};
}

std::vector<std::shared_ptr<RunningJob>> BusyBoard::expire_overdue(std::chrono::steady_clock::time_point now) {
    std::vector<std::shared_ptr<RunningJob>> expired;
    std::lock_guard lock(mutex_);
    for (const auto& job : running_) {
        if (job->timed_out || !job->limit || now - job->started < *job->limit) continue;
        job->timed_out = true;
        job->stop.request_stop();
        expired.push_back(job);
    }
    return expired;
}

std::vector<std::shared_ptr<RunningJob>> BusyBoard::near_reservation_end(std::chrono::steady_clock::time_point now) {
    std::vector<std::shared_ptr<RunningJob>> near;
    std::lock_guard lock(mutex_);
    for (const auto& job : running_) {
        if (job->reservation_warned || (now - job->started) * 5 < job->reservation * 4) continue;
        job->reservation_warned = true;
        near.push_back(job);
    }
    return near;
}

std::vector<std::shared_ptr<RunningJob>> BusyBoard::claim_for_shutdown() {
    std::lock_guard lock(mutex_);
    for (const auto& job : running_) {
        job->failed_by_shutdown = true;
        job->stop.request_stop();
    }
    return running_;
}

bool BusyBoard::idle() const {
    std::lock_guard lock(mutex_);
    return fetching_ == 0 && running_.empty();
}

std::size_t BusyBoard::running() const {
    std::lock_guard lock(mutex_);
    return running_.size();
}

std::string BusyBoard::describe(std::chrono::steady_clock::time_point now) const {
    std::ostringstream out;
    std::lock_guard lock(mutex_);
    for (const auto& job : running_) {
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - job->started).count();
        out << "pool=" << job->pool << " thread=" << job->index << " jid=" << job->jid << " jobtype=" << job->jobtype
            << " running_ms=" << elapsed << (job->timed_out ? " (timed out)" : "")
            << (job->failed_by_shutdown ? " (failed by shutdown)" : "") << '\n';
    }
    return out.str();
}

} // namespace faktory_host::worker
