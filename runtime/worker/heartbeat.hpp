// The heartbeat: its own connection, a BEAT every heartbeat_interval (the
// first one as soon as an identity is connected) carrying rss_kb and, when
// not running, current_state. The server's quiet/terminate reply is handed
// to `on_order` together with the wid it was about, so an order for a wid
// a reload already replaced is recognised as stale.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "protocol/client.hpp"

namespace faktory_host::worker {

struct EngineContext;

class Heartbeat {
public:
    using OrderHandler = std::function<void(const std::string& wid, protocol::WorkerState order)>;

    Heartbeat(std::shared_ptr<EngineContext> context, OrderHandler on_order);

    void run(std::stop_token stop);  // the thread body; ENDs its connection when stopped
    bool finished() const { return finished_.load(); }

private:
    std::shared_ptr<EngineContext> context_;
    OrderHandler on_order_;
    std::atomic<bool> finished_{false};
};

} // namespace faktory_host::worker
