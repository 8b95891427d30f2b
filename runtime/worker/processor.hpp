// One processor: a thread with its own connection that loops
//   { if fetching is allowed: write the pending results and FETCH in one
//     write -> run on the current generation -> record ACK/FAIL in the ledger }.
// Results always go through the ledger, so a connection lost between the
// handler's end and its ACK costs a re-send after reconnecting, never a rerun.
// A result goes out alone (its reply read before any FETCH is written) when
// it is a re-send (refused, or its reply lost), a give-back, or when no FETCH
// follows: fetching held (quiet, terminate, --max-jobs spent), the
// connection moving to a new wid after a reload, the processor stopping.
#pragma once
#include <atomic>
#include <memory>
#include <stop_token>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "plugins/plugin_generation.hpp"
#include "protocol/fetched_job.hpp"
#include "worker/queue_picker.hpp"
#include "worker/result_ledger.hpp"

namespace faktory_host::worker {

struct EngineContext;

class Processor {
public:
    Processor(std::shared_ptr<EngineContext> context, const config::PoolConfig& pool, unsigned index);

    // The thread body. Returns once `stop` is requested and the processor is
    // not inside a handler; ENDs its connection on the way out.
    void run(std::stop_token stop);

    // True once run() returned: the thread can be joined without waiting.
    bool finished() const { return finished_.load(); }
    std::string name() const;

private:
    // Runs a fetched job and records its result; a malformed one is FAILed (or logged) instead.
    void run_job(const protocol::FetchedJob& fetched);
    void refuse_malformed(const protocol::FetchedJob& fetched);
    // Writes `results` and a FETCH in one write and settles each result by
    // its reply: delivered, dropped (a final refusal), or back in the ledger
    // to be sent alone (refused, or its reply lost). Returns what FETCH brought.
    std::optional<protocol::FetchedJob> deliver_and_fetch(protocol::Client& client, std::vector<PendingResult> results);

    std::shared_ptr<EngineContext> context_;
    std::string pool_;
    unsigned index_;
    QueuePicker picker_;
    std::atomic<bool> finished_{false};
};

} // namespace faktory_host::worker
