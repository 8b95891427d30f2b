// One consumer connection (a processor's or the heartbeat's) kept in step
// with the shared worker identity: it ENDs when the wid is retired, HELLOs
// again with the new one, and after a failure reconnects with backoff while
// the outage is logged once for everyone.
#pragma once
#include <cstdint>
#include <exception>
#include <memory>
#include <stop_token>
#include <string>

#include "protocol/client.hpp"
#include "worker/reconnect_backoff.hpp"

namespace faktory_host::worker {

struct EngineContext;

class WorkerConnection {
public:
    WorkerConnection(EngineContext& context, std::string name);
    ~WorkerConnection();  // ENDs

    // A client connected under the current identity, or nullptr when there is
    // none to be had now: the wid is retired (it waited for a wakeup) or the
    // connect failed (it waited its backoff delay). Callers loop.
    protocol::Client* ensure(std::stop_token stop);

    // The client when connected under the current identity, else nullptr; never connects.
    protocol::Client* current() const;

    // The connection failed under us: drop it, count the outage, wait the backoff delay.
    void broken(const std::exception& error, std::stop_token stop);

    // The wid this connection said HELLO with (empty when not connected).
    const std::string& wid() const { return wid_; }
    // The identity epoch it connected under; differs from the slot's after a reload.
    std::uint64_t epoch() const { return epoch_; }

    void end();  // END and forget; never throws

private:
    EngineContext& context_;
    std::string name_;
    std::unique_ptr<protocol::Client> client_;
    std::uint64_t epoch_ = 0;
    std::string wid_;
    ReconnectBackoff backoff_;
    bool failing_ = false;
};

} // namespace faktory_host::worker
