// The engine view source, behind a lock taken only by scrapes and the engine's start.
#include "metrics/engine_view.hpp"

#include <mutex>

namespace faktory_host::metrics {

namespace {

struct SourceSlot {
    std::mutex mutex;
    EngineViewSource source;
};

SourceSlot& slot() {
    static auto* instance = new SourceSlot;  // leaked: outlives threads left behind at exit
    return *instance;
}

} // namespace

const std::vector<std::string>& lifecycle_states() {
    static const std::vector<std::string> states{"starting", "running",     "draining", "reloading",
                                                 "quiet",    "terminating", "stopped"};
    return states;
}

void set_engine_view_source(EngineViewSource source) {
    auto& s = slot();
    std::lock_guard lock(s.mutex);
    s.source = std::move(source);
}

std::optional<EngineView> current_engine_view() {
    EngineViewSource source;
    {
        auto& s = slot();
        std::lock_guard lock(s.mutex);
        source = s.source;
    }
    if (!source) return std::nullopt;
    return source();
}

} // namespace faktory_host::metrics
