// The plugin generation new jobs run on. A job takes a snapshot (shared_ptr)
// when it starts and keeps it to the end, so a reload never pulls code out
// from under a running handler; the old generation unloads with its last job.
#pragma once
#include <memory>
#include <mutex>
#include <utility>

#include "plugins/plugin_generation.hpp"

namespace faktory_host::worker {

class GenerationSlot {
public:
    std::shared_ptr<const plugins::PluginGeneration> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void replace(std::shared_ptr<const plugins::PluginGeneration> next) {
        std::shared_ptr<const plugins::PluginGeneration> previous;
        {
            std::lock_guard lock(mutex_);
            previous = std::exchange(current_, std::move(next));
        }
        // `previous` may be the last reference: it unloads here, outside the lock.
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const plugins::PluginGeneration> current_;
};

} // namespace faktory_host::worker
