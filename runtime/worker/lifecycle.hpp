// The worker's state machine. Thread-safe; every transition returns whether
// it was legal, so callers racing each other (heartbeat reply, signal thread,
// control loop) need no locking of their own.
//
//   starting -> running
//   running  --reload (server quiet / SIGHUP)--> draining --idle--> reloading --> running (new wid)
//   running | draining --quiet (SIGTSTP, or server quiet with on_quiet: stay)--> quiet
//   any but stopped --terminate--> terminating --> stopped
//
// There is no way out of quiet but terminate: Faktory never un-quiets a wid.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stop_token>

#include "protocol/client.hpp"
#include "worker/worker_host.hpp"

namespace faktory_host::worker {

class Lifecycle {
public:
    LifecycleState state() const;

    bool start();          // starting -> running
    bool begin_drain();    // running -> draining
    bool begin_reload();   // draining -> reloading
    // reloading -> running, or -> quiet when a quiet was asked for during the reload.
    bool finish_reload();
    // running | draining -> quiet. During reloading the quiet is remembered and
    // taken when the reload finishes (the new wid then starts quiet).
    bool quiet();
    bool terminate();      // any state but terminating/stopped -> terminating
    bool stop();           // terminating -> stopped
    // Requested when terminate() first succeeds: cuts connects that are under way.
    std::stop_token terminate_requested() const { return terminate_source_.get_token(); }
    // When terminate() first succeeded: the shutdown deadline counts from here.
    std::optional<std::chrono::steady_clock::time_point> terminated_at() const;

    // Only a running worker fetches; every other state drains or idles.
    bool may_fetch() const { return state() == LifecycleState::running; }
    // What BEAT reports as current_state, so operators see a locally quieted worker as quiet.
    std::optional<protocol::WorkerState> reported_state() const;

    // Blocks until the state differs from `seen` or `timeout` passes; returns the state then.
    LifecycleState wait_for_change(LifecycleState seen, std::chrono::milliseconds timeout) const;

private:
    bool move(LifecycleState from, LifecycleState to);

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    LifecycleState state_ = LifecycleState::starting;
    bool quiet_after_reload_ = false;
    std::optional<std::chrono::steady_clock::time_point> terminated_at_;
    std::stop_source terminate_source_;
};

} // namespace faktory_host::worker
