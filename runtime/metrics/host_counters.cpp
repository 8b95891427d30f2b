// The process-wide counters. Connection and reload bookkeeping share a small
// lock: they change a few times per outage or reload, never per job.
#include "metrics/host_counters.hpp"

#include <atomic>
#include <mutex>

namespace faktory_host::metrics {

namespace {

struct HostCounters {
    std::atomic<std::uint64_t> reconnects{0};
    std::atomic<std::uint64_t> heartbeats{0};
    std::atomic<std::uint64_t> results_resent{0};
    std::atomic<std::uint64_t> reloads_ok{0};
    std::atomic<std::uint64_t> reloads_failed{0};
    std::mutex mutex;
    int failing = 0;
    std::optional<SteadyTime> disconnected_since;
    std::optional<SteadyTime> reload_started_at;
};

// Leaked on purpose: threads left behind at exit may still touch it.
HostCounters& counters() {
    static auto* instance = new HostCounters;
    return *instance;
}

void add(std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

} // namespace

void connection_lost() {
    auto& c = counters();
    std::lock_guard lock(c.mutex);
    if (c.failing++ == 0) c.disconnected_since = std::chrono::steady_clock::now();
}

void connection_restored() {
    auto& c = counters();
    add(c.reconnects);
    std::lock_guard lock(c.mutex);
    if (c.failing > 0 && --c.failing == 0) c.disconnected_since.reset();
}

void heartbeat_sent() { add(counters().heartbeats); }
void result_resent() { add(counters().results_resent); }

void reload_started() {
    auto& c = counters();
    std::lock_guard lock(c.mutex);
    c.reload_started_at = std::chrono::steady_clock::now();
}

void reload_finished(bool loaded) {
    auto& c = counters();
    add(loaded ? c.reloads_ok : c.reloads_failed);
    std::lock_guard lock(c.mutex);
    c.reload_started_at.reset();
}

HostCountsSnapshot snapshot_host_counts() {
    auto& c = counters();
    HostCountsSnapshot out;
    out.reconnects = c.reconnects.load(std::memory_order_relaxed);
    out.heartbeats = c.heartbeats.load(std::memory_order_relaxed);
    out.results_resent = c.results_resent.load(std::memory_order_relaxed);
    out.reloads_ok = c.reloads_ok.load(std::memory_order_relaxed);
    out.reloads_failed = c.reloads_failed.load(std::memory_order_relaxed);
    std::lock_guard lock(c.mutex);
    out.failing_connections = c.failing;
    out.disconnected_since = c.disconnected_since;
    out.reload_started_at = c.reload_started_at;
    return out;
}

} // namespace faktory_host::metrics
