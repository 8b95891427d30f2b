// What the metrics and health endpoints need to know of the worker engine
// right now. The engine registers a source (a callback) when it starts
// running; metrics knows nothing of the engine's types, the engine fills this in.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace faktory_host::metrics {

struct PluginInfo {
    std::string name;
    std::string version;
    std::string file;    // file name in the plugins dir
    std::string sha256;  // of that file as loaded; empty when it could not be read
};

struct EngineView {
    std::string state;  // the lifecycle state: starting, running, draining, reloading, quiet, terminating, stopped
    std::string wid;
    std::uint64_t generation = 0;
    std::vector<PluginInfo> plugins;
    std::size_t results_pending = 0;
};

// Every lifecycle state, in the order faktory_host_state lists them.
const std::vector<std::string>& lifecycle_states();

using EngineViewSource = std::function<std::optional<EngineView>()>;

// The last source set wins; a source returns nullopt once its engine is gone.
void set_engine_view_source(EngineViewSource source);
// nullopt while no engine runs.
std::optional<EngineView> current_engine_view();

} // namespace faktory_host::metrics
