// The loader's options from the `plugins:` section: one home for the host,
// `check` and `run-job`, so a new key reaches all three. Callers add what
// differs (the services handlers call back into).
#pragma once
#include "config/config.hpp"
#include "plugins/plugin_generation.hpp"

namespace faktory_host::worker {

plugins::LoaderOptions loader_options(const config::PluginsConfig& plugins);

} // namespace faktory_host::worker
