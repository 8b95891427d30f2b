// The engine's EngineView source. Plugin SHA-256s are computed once per
// generation (a scrape must not hash .so files every time).
#include "worker/engine_metrics.hpp"

#include <mutex>

#include "metrics/engine_view.hpp"
#include "plugins/shadow_directory.hpp"
#include "worker/engine_context.hpp"

namespace faktory_host::worker {

namespace {

struct PluginInfoCache {
    std::mutex mutex;
    std::uint64_t generation = 0;
    std::vector<metrics::PluginInfo> plugins;
};

std::vector<metrics::PluginInfo> describe(const plugins::PluginGeneration& generation,
                                          const std::filesystem::path& dir) {
    std::vector<metrics::PluginInfo> out;
    for (const auto& plugin : generation.plugins()) {
        std::string sha256;
        try {
            sha256 = plugins::sha256_of_file(dir / plugin.file);
        } catch (const std::exception&) {
            // Removed since it loaded: the label stays empty rather than wrong.
        }
        out.push_back({plugin.name, plugin.version, plugin.file, sha256});
    }
    return out;
}

} // namespace

void publish_engine_view(const std::shared_ptr<EngineContext>& context) {
    auto cache = std::make_shared<PluginInfoCache>();
    std::weak_ptr<EngineContext> weak = context;
    metrics::set_engine_view_source([weak, cache]() -> std::optional<metrics::EngineView> {
        const auto ctx = weak.lock();
        if (!ctx) return std::nullopt;
        metrics::EngineView view;
        view.state = to_string(ctx->lifecycle.state());
        view.wid = ctx->identity.wid();
        view.results_pending = ctx->ledger.size();
        if (const auto generation = ctx->generation.current()) {
            view.generation = generation->number();
            std::lock_guard lock(cache->mutex);
            if (cache->generation != view.generation) {
                cache->plugins = describe(*generation, ctx->config.plugins.dir);
                cache->generation = view.generation;
            }
            view.plugins = cache->plugins;
        }
        return view;
    });
}

} // namespace faktory_host::worker
