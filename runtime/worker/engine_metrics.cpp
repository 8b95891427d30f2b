// The engine's EngineView source. Plugin SHA-256s come from the loader, of
// the bytes it loaded (not of whatever the file holds at scrape time).
#include "worker/engine_metrics.hpp"

#include "metrics/engine_view.hpp"
#include "worker/engine_context.hpp"

namespace faktory_host::worker {

namespace {

std::vector<metrics::PluginInfo> describe(const plugins::PluginGeneration& generation) {
    std::vector<metrics::PluginInfo> out;
    for (const auto& plugin : generation.plugins()) out.push_back({plugin.name, plugin.version, plugin.file, plugin.sha256});
    return out;
}

} // namespace

void publish_engine_view(const std::shared_ptr<EngineContext>& context) {
    std::weak_ptr<EngineContext> weak = context;
    metrics::set_engine_view_source([weak]() -> std::optional<metrics::EngineView> {
        const auto ctx = weak.lock();
        if (!ctx) return std::nullopt;
        metrics::EngineView view;
        view.state = to_string(ctx->lifecycle.state());
        view.wid = ctx->identity.wid();
        view.results_pending = ctx->ledger.size();
        if (const auto generation = ctx->generation.current()) {
            view.generation = generation->number();
            view.plugins = describe(*generation);
        }
        return view;
    });
}

} // namespace faktory_host::worker
