// The undelivered-results ledger.
#include "worker/result_ledger.hpp"

#include <utility>

#include "metrics/host_counters.hpp"

namespace faktory_host::worker {

void ResultLedger::add(PendingResult result) {
    std::lock_guard lock(mutex_);
    auto jid = result.jid;
    pending_.insert_or_assign(std::move(jid), std::move(result));
}

void ResultLedger::flush(const std::function<void(const PendingResult&)>& send) {
    std::map<std::string, PendingResult> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(pending_);
    }
    auto it = batch.begin();
    try {
        for (; it != batch.end(); ++it) send(it->second);
    } catch (...) {
        metrics::result_resent();  // the one whose send threw; the rest were not tried yet
        std::lock_guard lock(mutex_);
        // A newer result added meanwhile for the same jid wins over the one we failed to send.
        for (; it != batch.end(); ++it) pending_.emplace(it->first, std::move(it->second));
        throw;
    }
}

std::size_t ResultLedger::size() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

} // namespace faktory_host::worker
