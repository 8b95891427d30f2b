// Results not yet delivered to the server, keyed by jid: ACKs, FAILs, and the
// give-backs of a shutdown (ACK the reservation, then PUSH the job as it was
// fetched). A result enters the ledger before it is sent and leaves only once
// the server took it, so a dropped connection or a refusal costs a re-send,
// never a second run of the handler. Shared by every processor: ACK and FAIL
// are keyed by jid alone and work from any connection. Thread-safe.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/client.hpp"
#include "protocol/errors.hpp"

namespace faktory_host::worker {

struct PendingResult {
    enum class Kind { ack, fail, give_back };

    std::string jid;
    std::string jobtype;                            // for logs only
    std::optional<protocol::FailureReport> failure;  // set = FAIL (unless a give-back)
    // Set = a give-back: ACK the reservation, then PUSH this payload (the job's
    // JSON as fetched: same jid, same fields). The order matters: reservations
    // are keyed by jid, so an ACK after the PUSH could settle another worker's copy.
    std::string give_back_payload;
    bool reservation_released = false;  // give-back: the ACK went through, only the PUSH is left
    // May go out in the same write as the processor's next FETCH: the fresh
    // ACK/FAIL of a job it just ran, never sent. Everything else (a result
    // refused or whose reply was lost, a give-back, a Shutdown or
    // WorkerCrashed FAIL, one saved by a previous run) is sent alone, its
    // reply read, before the next FETCH is written.
    bool with_next_fetch = false;

    static PendingResult ack(std::string jid, std::string jobtype);
    static PendingResult fail(std::string jid, std::string jobtype, protocol::FailureReport failure);
    static PendingResult give_back(std::string jid, std::string jobtype, std::string payload);

    Kind kind() const {
        if (!give_back_payload.empty()) return Kind::give_back;
        return failure ? Kind::fail : Kind::ack;
    }
    const char* verb() const;  // "ACK", "FAIL", "give-back" for logs
};

// Whether the server's refusal of an ACK or FAIL is final: only `Job not found`
// to a FAIL (the reservation is gone). Any other refusal is transient.
bool refusal_is_final(const PendingResult& result, const protocol::ServerError& refusal);

class ResultLedger {
public:
    // A later result for the same jid replaces the earlier one (the job was fetched again).
    void add(PendingResult result);

    // Takes every pending result and hands each to `send`, one at a time;
    // returns how many were sent. `send` may update the result it is given
    // (a give-back whose ACK went through). When `send` throws, that result
    // (as updated) and the ones not yet tried go back into the ledger and the
    // exception propagates. Results are taken out before being sent, so two
    // processors flushing at once never send the same one twice.
    std::size_t flush(const std::function<void(PendingResult&)>& send);

    // For a processor about to write its FETCH: std::nullopt when a result
    // must first be sent alone (see PendingResult::with_next_fetch), or
    // re-sends are held back after a refusal; else up to `max` results to
    // write ahead of the FETCH, taken out (none when nothing is pending).
    std::optional<std::vector<PendingResult>> take_for_fetch(std::size_t max);
    // True when a result waits to be sent alone before the next FETCH.
    bool has_result_to_send_alone() const;
    // A result taken out whose delivery is not confirmed (refused, or its
    // reply lost) goes back, to be sent alone; a newer result for the same
    // jid, added meanwhile, wins.
    void put_back(PendingResult result);

    // A copy of what is pending, for saving at exit.
    std::vector<PendingResult> entries() const;

    std::size_t size() const;
    bool empty() const { return size() == 0; }

    // Re-sends after a refusal back off for the whole ledger: a server that
    // refuses one result is refusing them all (shutting down, storage trouble).
    // refused() records one and returns how long to hold back (100 ms doubling
    // to 5 s; refusals while a hold is on, from processors that were already
    // sending, count once); delivered() starts the next series from 100 ms.
    using Clock = std::chrono::steady_clock;
    std::chrono::milliseconds refused(Clock::time_point now = Clock::now());
    void delivered();
    // How long re-sends are still held back from `now` (zero when not).
    std::chrono::milliseconds held_for(Clock::time_point now = Clock::now()) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, PendingResult> pending_;
    std::chrono::milliseconds next_hold_{0};
    Clock::time_point held_until_{};
};

} // namespace faktory_host::worker
