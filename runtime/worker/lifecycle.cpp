// The lifecycle state machine.
#include "worker/lifecycle.hpp"

namespace faktory_host::worker {

const char* to_string(LifecycleState state) {
    switch (state) {
    case LifecycleState::starting: return "starting";
    case LifecycleState::running: return "running";
    case LifecycleState::reloading: return "reloading";
    case LifecycleState::quiet: return "quiet";
    case LifecycleState::terminating: return "terminating";
    case LifecycleState::stopped: return "stopped";
    }
    return "unknown";
}

std::ostream& operator<<(std::ostream& out, LifecycleState state) { return out << to_string(state); }

LifecycleState Lifecycle::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

bool Lifecycle::move(LifecycleState from, LifecycleState to) {
    {
        std::lock_guard lock(mutex_);
        if (state_ != from) return false;
        state_ = to;
    }
    changed_.notify_all();
    return true;
}

bool Lifecycle::start(std::uint64_t epoch) {
    {
        std::lock_guard lock(mutex_);
        if (state_ != LifecycleState::starting) return false;
        state_ = LifecycleState::running;
        fetch_epoch_ = epoch;
    }
    changed_.notify_all();
    return true;
}

LifecycleState Lifecycle::request_reload() {
    std::lock_guard lock(mutex_);
    if (state_ == LifecycleState::running) reload_requested_ = true;
    return state_;
}

bool Lifecycle::reload_requested() const {
    std::lock_guard lock(mutex_);
    return reload_requested_ && state_ == LifecycleState::running;
}

bool Lifecycle::begin_reload() {
    {
        std::lock_guard lock(mutex_);
        if (state_ != LifecycleState::running) return false;
        state_ = LifecycleState::reloading;
        reload_requested_ = false;
    }
    changed_.notify_all();
    return true;
}

bool Lifecycle::finish_reload(std::uint64_t epoch) {
    {
        std::lock_guard lock(mutex_);
        if (state_ != LifecycleState::reloading) return false;
        state_ = quiet_after_reload_ ? LifecycleState::quiet : LifecycleState::running;
        fetch_epoch_ = epoch;
    }
    changed_.notify_all();
    return true;
}

bool Lifecycle::quiet() {
    {
        std::lock_guard lock(mutex_);
        if (state_ == LifecycleState::reloading) {
            quiet_after_reload_ = true;
            return true;
        }
        if (state_ != LifecycleState::running) return false;
        state_ = LifecycleState::quiet;
    }
    changed_.notify_all();
    return true;
}

bool Lifecycle::terminate() {
    {
        std::lock_guard lock(mutex_);
        if (state_ == LifecycleState::terminating || state_ == LifecycleState::stopped) return false;
        state_ = LifecycleState::terminating;
        terminated_at_ = std::chrono::steady_clock::now();
    }
    changed_.notify_all();
    terminate_source_.request_stop();
    return true;
}

std::optional<std::chrono::steady_clock::time_point> Lifecycle::terminated_at() const {
    std::lock_guard lock(mutex_);
    return terminated_at_;
}

bool Lifecycle::stop() { return move(LifecycleState::terminating, LifecycleState::stopped); }

std::optional<protocol::WorkerState> Lifecycle::reported_state() const {
    switch (state()) {
    case LifecycleState::reloading:
    case LifecycleState::quiet: return protocol::WorkerState::quiet;
    case LifecycleState::terminating:
    case LifecycleState::stopped: return protocol::WorkerState::terminate;
    default: return std::nullopt;
    }
}

FetchPermit Lifecycle::begin_fetch(std::uint64_t epoch) {
    std::lock_guard lock(mutex_);
    if (state_ != LifecycleState::running) return FetchPermit::held;
    if (epoch != fetch_epoch_) return FetchPermit::outdated;
    ++fetches_;
    return FetchPermit::granted;
}

void Lifecycle::end_fetch() {
    std::lock_guard lock(mutex_);
    --fetches_;
}

int Lifecycle::fetches_in_flight() const {
    std::lock_guard lock(mutex_);
    return fetches_;
}

LifecycleState Lifecycle::wait_for_change(LifecycleState seen, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return state_ != seen; });
    return state_;
}

} // namespace faktory_host::worker
