// Wakes idle loops (processors waiting to fetch, the heartbeat, the control
// loop) as soon as the lifecycle or the worker identity changes, so they
// react at once instead of after their next poll.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>

namespace faktory_host::worker {

class Wakeup {
public:
    void notify() {
        {
            std::lock_guard lock(mutex_);
            ++version_;
        }
        changed_.notify_all();
    }

    // Waits up to `timeout`; returns early on notify() or a stop request.
    void wait_for(std::chrono::milliseconds timeout, std::stop_token stop) { wait_since(version(), timeout, stop); }

    // For check-then-wait without a lost wakeup: take version() before looking
    // at the state, then wait_since() it; a notify() in between ends the wait at once.
    std::uint64_t version() {
        std::lock_guard lock(mutex_);
        return version_;
    }
    void wait_since(std::uint64_t seen, std::chrono::milliseconds timeout, std::stop_token stop) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, stop, timeout, [&] { return version_ != seen; });
    }

    // Waits `timeout` unless a stop is requested; notify() does not cut it short,
    // so state changes never turn a reconnect backoff into a connection storm.
    static void sleep_for(std::chrono::milliseconds timeout, std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any never;
        std::unique_lock lock(mutex);
        never.wait_for(lock, stop, timeout, [] { return false; });
    }

private:
    std::mutex mutex_;
    std::condition_variable_any changed_;
    std::uint64_t version_ = 0;
};

} // namespace faktory_host::worker
