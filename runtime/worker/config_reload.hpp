// What a configuration file re-read at reload (SIGHUP) may change in a
// running host. Plugin settings (dir, config blocks, pins,
// check_permissions), job_timeout, labels, heartbeat_interval, on_quiet and
// the log level and format take effect with the new generation. The keys that
// shape connections and threads (faktory url, password and tls; the pools
// with their concurrency and queues; shutdown_timeout) need a restart: they
// keep their running values, and the reload names the ones the file changed.
#pragma once
#include <string>
#include <vector>

#include "config/config.hpp"

namespace faktory_host::worker {

struct ConfigReload {
    config::Config effective;               // the file's values, restart-only keys as running
    std::vector<std::string> need_restart;  // restart-only keys the file changed (not applied)
    std::vector<std::string> changed;       // reloadable keys the file changed (applied)
};

ConfigReload reconcile(const config::Config& running, config::Config reread);

// "a, b, c"
std::string join_keys(const std::vector<std::string>& keys);

} // namespace faktory_host::worker
