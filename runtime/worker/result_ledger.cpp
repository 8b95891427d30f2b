// The undelivered-results ledger.
#include "worker/result_ledger.hpp"

#include <algorithm>
#include <utility>

#include "metrics/host_counters.hpp"

namespace faktory_host::worker {

namespace {
constexpr std::chrono::milliseconds first_hold{100};
constexpr std::chrono::milliseconds longest_hold{5000};
} // namespace

PendingResult PendingResult::ack(std::string jid, std::string jobtype) {
    PendingResult result;
    result.jid = std::move(jid);
    result.jobtype = std::move(jobtype);
    return result;
}

PendingResult PendingResult::fail(std::string jid, std::string jobtype, protocol::FailureReport failure) {
    auto result = ack(std::move(jid), std::move(jobtype));
    result.failure = std::move(failure);
    return result;
}

PendingResult PendingResult::give_back(std::string jid, std::string jobtype, std::string payload) {
    auto result = ack(std::move(jid), std::move(jobtype));
    result.give_back_payload = std::move(payload);
    return result;
}

const char* PendingResult::verb() const {
    switch (kind()) {
    case Kind::ack: return "ACK";
    case Kind::fail: return "FAIL";
    case Kind::give_back: return "give-back";
    }
    return "ACK";
}

bool refusal_is_final(const PendingResult& result, const protocol::ServerError& refusal) {
    return result.kind() == PendingResult::Kind::fail && refusal.server_message().rfind("Job not found", 0) == 0;
}

void ResultLedger::add(PendingResult result) {
    std::lock_guard lock(mutex_);
    auto jid = result.jid;
    pending_.insert_or_assign(std::move(jid), std::move(result));
}

std::size_t ResultLedger::flush(const std::function<void(PendingResult&)>& send) {
    std::map<std::string, PendingResult> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(pending_);
    }
    std::size_t sent = 0;
    auto it = batch.begin();
    try {
        for (; it != batch.end(); ++it, ++sent) send(it->second);
    } catch (...) {
        metrics::result_resent();  // the one whose send threw; the rest were not tried yet
        it->second.with_next_fetch = false;
        std::lock_guard lock(mutex_);
        // A newer result added meanwhile for the same jid wins over the one we failed to send.
        for (; it != batch.end(); ++it) pending_.emplace(it->first, std::move(it->second));
        throw;
    }
    return sent;
}

std::optional<std::vector<PendingResult>> ResultLedger::take_for_fetch(std::size_t max) {
    std::vector<PendingResult> taken;
    std::lock_guard lock(mutex_);
    if (Clock::now() < held_until_) return std::nullopt;
    for (const auto& [jid, result] : pending_)
        if (!result.with_next_fetch) return std::nullopt;
    for (auto it = pending_.begin(); it != pending_.end() && taken.size() < max;) {
        taken.push_back(std::move(it->second));
        it = pending_.erase(it);
    }
    return taken;
}

bool ResultLedger::has_result_to_send_alone() const {
    std::lock_guard lock(mutex_);
    return std::any_of(pending_.begin(), pending_.end(), [](const auto& entry) { return !entry.second.with_next_fetch; });
}

void ResultLedger::put_back(PendingResult result) {
    metrics::result_resent();
    result.with_next_fetch = false;
    std::lock_guard lock(mutex_);
    auto jid = result.jid;
    pending_.emplace(std::move(jid), std::move(result));
}

std::vector<PendingResult> ResultLedger::entries() const {
    std::lock_guard lock(mutex_);
    std::vector<PendingResult> out;
    out.reserve(pending_.size());
    for (const auto& [jid, result] : pending_) out.push_back(result);
    return out;
}

std::size_t ResultLedger::size() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

std::chrono::milliseconds ResultLedger::refused(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (now < held_until_) return std::chrono::ceil<std::chrono::milliseconds>(held_until_ - now);
    next_hold_ = next_hold_ == std::chrono::milliseconds{0} ? first_hold : std::min(next_hold_ * 2, longest_hold);
    held_until_ = now + next_hold_;
    return next_hold_;
}

void ResultLedger::delivered() {
    std::lock_guard lock(mutex_);
    next_hold_ = std::chrono::milliseconds{0};
    held_until_ = {};
}

std::chrono::milliseconds ResultLedger::held_for(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    if (now >= held_until_) return std::chrono::milliseconds{0};
    return std::chrono::ceil<std::chrono::milliseconds>(held_until_ - now);
}

} // namespace faktory_host::worker
