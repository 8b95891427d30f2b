// Comparing a re-read configuration with the running one, key by key.
#include "worker/config_reload.hpp"

namespace faktory_host::worker {

namespace {

bool same_pools(const std::vector<config::PoolConfig>& a, const std::vector<config::PoolConfig>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto& x = a[i];
        const auto& y = b[i];
        if (x.name != y.name || x.concurrency != y.concurrency || x.queues.order != y.queues.order ||
            x.queues.queues != y.queues.queues || x.queues.weights != y.queues.weights)
            return false;
    }
    return true;
}

template <typename T>
void note(std::vector<std::string>& into, const char* key, const T& running, const T& reread) {
    if (!(running == reread)) into.emplace_back(key);
}

} // namespace

ConfigReload reconcile(const config::Config& running, config::Config reread) {
    ConfigReload out;
    // Restart-only: compared, then put back to what the process runs with.
    note(out.need_restart, "faktory.url", running.faktory.url, reread.faktory.url);
    note(out.need_restart, "faktory.password", running.faktory.password, reread.faktory.password);
    note(out.need_restart, "faktory.tls.verify", running.faktory.tls.verify, reread.faktory.tls.verify);
    note(out.need_restart, "faktory.tls.ca_file", running.faktory.tls.ca_file, reread.faktory.tls.ca_file);
    if (!same_pools(running.worker.pools, reread.worker.pools))
        out.need_restart.emplace_back("worker.concurrency/queues/pools");
    note(out.need_restart, "worker.shutdown_timeout", running.worker.shutdown_timeout, reread.worker.shutdown_timeout);
    // The journal and its lock stay where the process took them.
    note(out.need_restart, "worker.state_dir", running.worker.state_dir, reread.worker.state_dir);
    reread.faktory = running.faktory;
    reread.worker.pools = running.worker.pools;
    reread.worker.shutdown_timeout = running.worker.shutdown_timeout;
    reread.worker.state_dir = running.worker.state_dir;
    // The worker identity's hostname and the metrics listener are set up once, at start.
    note(out.need_restart, "worker.hostname", running.worker.hostname, reread.worker.hostname);
    note(out.need_restart, "metrics.listen", running.metrics.listen, reread.metrics.listen);
    note(out.need_restart, "metrics.health_grace", running.metrics.health_grace, reread.metrics.health_grace);
    reread.worker.hostname = running.worker.hostname;
    reread.metrics = running.metrics;
    // Command-line run modes are not in the file; a reload keeps them as they are.
    reread.worker.max_jobs = running.worker.max_jobs;
    reread.worker.until_empty_grace = running.worker.until_empty_grace;

    note(out.changed, "plugins.dir", running.plugins.dir, reread.plugins.dir);
    note(out.changed, "plugins.check_permissions", running.plugins.check_permissions, reread.plugins.check_permissions);
    note(out.changed, "plugins.config", running.plugins.config_json, reread.plugins.config_json);
    note(out.changed, "plugins.pins", running.plugins.sha256_pins, reread.plugins.sha256_pins);
    note(out.changed, "plugins.copy_dir", running.plugins.copy_dir, reread.plugins.copy_dir);
    note(out.changed, "plugins.middleware", running.plugins.middleware, reread.plugins.middleware);
    note(out.changed, "worker.job_timeout", running.worker.job_timeout, reread.worker.job_timeout);
    note(out.changed, "worker.labels", running.worker.labels, reread.worker.labels);
    note(out.changed, "worker.heartbeat_interval", running.worker.heartbeat_interval, reread.worker.heartbeat_interval);
    note(out.changed, "worker.on_quiet", running.worker.on_quiet, reread.worker.on_quiet);
    note(out.changed, "log.level", running.log.level, reread.log.level);
    note(out.changed, "log.format", running.log.format, reread.log.format);
    out.effective = std::move(reread);
    return out;
}

std::string join_keys(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& key : keys) out += (out.empty() ? "" : ", ") + key;
    return out;
}

} // namespace faktory_host::worker
