// Process-wide counters and connection/reload bookkeeping the worker engine
// updates through one-line hooks (atomics; none of them sits on the job path
// except results_resent, which is an atomic add on a rare path).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>

namespace faktory_host::metrics {

using SteadyTime = std::chrono::steady_clock::time_point;

// A consumer connection (processor or heartbeat) failed / came back.
void connection_lost();
void connection_restored();  // also counts faktory_host_reconnects_total
void heartbeat_sent();
void result_resent();        // an ACK/FAIL whose delivery failed goes back to the ledger, to be sent again
void reload_started();       // the drain before a reload began
void reload_finished(bool loaded);  // the new generation serves (true) or the old one was kept (false)

struct HostCountsSnapshot {
    std::uint64_t reconnects = 0;
    std::uint64_t heartbeats = 0;
    std::uint64_t results_resent = 0;
    std::uint64_t reloads_ok = 0;
    std::uint64_t reloads_failed = 0;
    int failing_connections = 0;
    std::optional<SteadyTime> disconnected_since;  // set while failing_connections > 0
    std::optional<SteadyTime> reload_started_at;   // set from reload_started() to reload_finished()
};

HostCountsSnapshot snapshot_host_counts();

} // namespace faktory_host::metrics
