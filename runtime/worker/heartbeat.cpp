// The heartbeat loop.
#include "worker/heartbeat.hpp"

#include <algorithm>

#include "metrics/host_counters.hpp"
#include "protocol/errors.hpp"
#include "worker/engine_context.hpp"
#include "worker/process_rss.hpp"
#include "worker/worker_connection.hpp"

namespace faktory_host::worker {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Heartbeat::Heartbeat(std::shared_ptr<EngineContext> context, OrderHandler on_order)
    : context_(std::move(context)), on_order_(std::move(on_order)) {}

void Heartbeat::run(std::stop_token stop) {
    auto& ctx = *context_;
    WorkerConnection connection(ctx, "heartbeat");
    std::uint64_t beaten_epoch = 0;
    auto next_beat = Clock::now();
    while (!stop.stop_requested()) {
        const auto seen = ctx.wakeup.version();  // a new wid published from here on ends the wait below
        auto* client = connection.ensure(stop);
        if (!client) continue;
        // A new identity beats at once, so the server knows the new wid promptly.
        if (connection.epoch() != beaten_epoch || Clock::now() >= next_beat) {
            const auto wid = connection.wid();
            try {
                const auto order = client->beat(wid, resident_set_kb(), ctx.lifecycle.reported_state());
                connection.proved();
                beaten_epoch = connection.epoch();
                metrics::heartbeat_sent();
                next_beat = Clock::now() + ctx.settings.current()->worker.heartbeat_interval;
                if (order != protocol::WorkerState::running) on_order_(wid, order);
            } catch (const protocol::ServerError& e) {
                // E.g. "unknown worker" after the server reaped us: a fresh HELLO registers the wid again.
                ctx.logger.warning("heartbeat for wid " + wid + " refused: " + e.what() + "; reconnecting");
                connection.broken(e, stop);
                continue;
            } catch (const protocol::FaktoryError& e) {
                connection.broken(e, stop);
                continue;
            }
        }
        const auto until_next = std::chrono::duration_cast<std::chrono::milliseconds>(next_beat - Clock::now());
        ctx.wakeup.wait_since(seen, std::clamp(until_next, 1ms, 1000ms), stop);
    }
    connection.end();
    finished_ = true;
    ctx.wakeup.notify();
}

} // namespace faktory_host::worker
