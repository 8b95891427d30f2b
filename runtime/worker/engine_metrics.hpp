// Publishes the engine's state (lifecycle, wid, generation and its plugins,
// pending results) to runtime/metrics as its EngineView source, read at each
// scrape. Holds only a weak reference: once the engine is gone, the view is too.
#pragma once
#include <memory>

namespace faktory_host::worker {

struct EngineContext;

void publish_engine_view(const std::shared_ptr<EngineContext>& context);

} // namespace faktory_host::worker
