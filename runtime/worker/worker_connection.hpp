// One consumer connection (a processor's or the heartbeat's) kept in step
// with the shared worker identity: when a reload publishes a new wid it ENDs
// the old one and HELLOs again with the new one (at the next ensure(), i.e.
// when its owner is between jobs), and after a failure reconnects with
// backoff while the outage is logged once for everyone. A connection counts
// as back only once it has proved itself (a FETCH or BEAT answered
// normally), so a server that accepts HELLO and then breaks every connection
// gets growing delays and one warning, not a reconnect storm.
#pragma once
#include <cstdint>
#include <exception>
#include <functional>
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
    // none to be had now: no identity yet (it waited for a wakeup) or the
    // connect failed (it waited its backoff delay). Callers loop.
    // `before_leaving` gets the old connection, when one is still open, just
    // before it is ENDed for a new wid: what it owes the server goes out
    // there first. What it throws is logged, not passed on.
    protocol::Client* ensure(std::stop_token stop,
                             const std::function<void(protocol::Client&)>& before_leaving = {});

    // The client when connected under the current identity, else nullptr; never connects.
    protocol::Client* current() const;

    // The connection failed under us: drop it, count the outage, wait the backoff delay.
    void broken(const std::exception& error, std::stop_token stop);
    // The server answered a FETCH or BEAT normally: the backoff starts over and an outage is over.
    void proved();

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
