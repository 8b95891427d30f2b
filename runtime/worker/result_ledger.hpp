// ACK/FAIL results not yet delivered to the server, keyed by jid. A result
// enters the ledger before it is sent and leaves only once the server took
// it, so a dropped connection costs a re-send after reconnecting, never a
// second run of the handler. Shared by every processor: ACK and FAIL are
// keyed by jid alone and work from any connection. Thread-safe.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/client.hpp"

namespace faktory_host::worker {

struct PendingResult {
    std::string jid;
    std::string jobtype;                            // for logs only
    std::optional<protocol::FailureReport> failure;  // empty = ACK
};

class ResultLedger {
public:
    // A later result for the same jid replaces the earlier one (the job was fetched again).
    void add(PendingResult result);

    // Takes every pending result and hands each to `send`, one at a time. When
    // `send` throws, that result and the ones not yet tried go back into the
    // ledger and the exception propagates. Results are taken out before being
    // sent, so two processors flushing at once never send the same one twice.
    void flush(const std::function<void(const PendingResult&)>& send);

    std::size_t size() const;
    bool empty() const { return size() == 0; }

private:
    mutable std::mutex mutex_;
    std::map<std::string, PendingResult> pending_;
};

} // namespace faktory_host::worker
