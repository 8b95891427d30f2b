// Readers for the four top-level sections of faktory-host.yaml; each checks
// its keys, types and ranges and returns the validated struct.
#pragma once
#include "config/config.hpp"
#include "config/config_node.hpp"

namespace faktory_host::config {

FaktoryConfig read_faktory_section(const ConfigNode& section);
WorkerConfig read_worker_section(const ConfigNode& section);
PluginsConfig read_plugins_section(const ConfigNode& section);
LogConfig read_log_section(const ConfigNode& section);
MetricsConfig read_metrics_section(const ConfigNode& section);

} // namespace faktory_host::config
