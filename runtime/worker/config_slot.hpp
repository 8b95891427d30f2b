// The configuration in force, swapped whole by a reload. Readers take a
// snapshot (shared_ptr) and keep it for as long as they use it, so a reload
// never changes values under someone's feet. The keys that need a restart
// keep their running values in every snapshot (see config_reload.hpp).
#pragma once
#include <memory>
#include <mutex>
#include <utility>

#include "config/config.hpp"

namespace faktory_host::worker {

class ConfigSlot {
public:
    explicit ConfigSlot(config::Config initial) : current_(std::make_shared<const config::Config>(std::move(initial))) {}

    std::shared_ptr<const config::Config> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void replace(std::shared_ptr<const config::Config> next) {
        std::lock_guard lock(mutex_);
        current_ = std::move(next);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const config::Config> current_;
};

} // namespace faktory_host::worker
