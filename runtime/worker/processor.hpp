// One processor: a thread with its own connection that loops
//   { deliver pending results; if fetching is allowed: FETCH -> run on the
//     current generation -> record ACK/FAIL in the ledger }.
// Results always go through the ledger, so a connection lost between the
// handler's end and its ACK costs a re-send after reconnecting, never a rerun.
#pragma once
#include <atomic>
#include <memory>
#include <stop_token>
#include <string>

#include "config/config.hpp"
#include "plugins/plugin_generation.hpp"
#include "protocol/fetched_job.hpp"
#include "worker/queue_picker.hpp"

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

    std::shared_ptr<EngineContext> context_;
    std::string pool_;
    unsigned index_;
    QueuePicker picker_;
    std::atomic<bool> finished_{false};
};

} // namespace faktory_host::worker
