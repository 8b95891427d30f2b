// The /healthz verdict: 200 while the engine runs (or is quiet) and is
// connected; 503 with the reason while it starts, terminates, has been
// disconnected from Faktory longer than the grace time, or has been
// reloading longer than it. The body is a small JSON object that never holds
// a secret (no URL, no password, no job data).
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include "metrics/engine_view.hpp"
#include "metrics/host_counters.hpp"

namespace faktory_host::metrics {

struct HealthVerdict {
    bool healthy = false;
    std::string reason;  // empty when healthy
    std::string body;    // JSON: status, reason (when unhealthy), state, wid, connected, generation, plugins
};

HealthVerdict judge_health(const std::optional<EngineView>& engine, const HostCountsSnapshot& host,
                           SteadyTime now, std::chrono::milliseconds grace);

} // namespace faktory_host::metrics
