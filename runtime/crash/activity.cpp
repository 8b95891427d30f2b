// The calling thread's current activity: a constinit thread_local pointer, so
// reading it from a signal handler needs no lazy TLS initialisation.
#include "crash/activity.hpp"

namespace faktory_host::crash {

namespace {
constinit thread_local const Activity* current = nullptr;
} // namespace

const Activity* current_activity() noexcept {
    std::atomic_signal_fence(std::memory_order_acquire);
    return current;
}

ActivityScope::ActivityScope(const Activity& activity) noexcept : previous_(current) {
    // The record's fields must be in place before a signal on this thread can see the pointer.
    std::atomic_signal_fence(std::memory_order_release);
    current = &activity;
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

ActivityScope::~ActivityScope() {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    current = previous_;
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

} // namespace faktory_host::crash
