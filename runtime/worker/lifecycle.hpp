// The worker's state machine, and the one gate every FETCH passes. Thread-safe;
// every transition returns whether it was legal, so callers racing each other
// (heartbeat reply, signal thread, control loop) need no locking of their own.
//
//   starting -> running (epoch e)
//   running  --reload (server quiet / SIGHUP)--> reloading --new wid published--> running (epoch e+1)
//   running --quiet (SIGTSTP, or server quiet with on_quiet: stay)--> quiet
//   any but stopped --terminate--> terminating --> stopped
//
// There is no way out of quiet but terminate: Faktory never un-quiets a wid.
//
// begin_fetch() is "may I fetch?" and "a fetch has started" in one step under
// the same lock as the transitions: once begin_reload() returned, no FETCH
// starts under the old wid, and every FETCH that did start is counted.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <stop_token>

#include "protocol/client.hpp"

namespace faktory_host::worker {

enum class LifecycleState { starting, running, reloading, quiet, terminating, stopped };
const char* to_string(LifecycleState);
std::ostream& operator<<(std::ostream& out, LifecycleState state);  // writes to_string(state)

// What begin_fetch() answered.
enum class FetchPermit {
    granted,   // fetch now; call end_fetch() when the reply is in (or failed)
    held,      // not running (reloading, quiet, terminating): wait for a change
    outdated,  // the connection's identity was replaced: move to the new wid first
};

class Lifecycle {
public:
    LifecycleState state() const;

    // starting -> running; FETCHes are allowed on connections of `epoch`.
    bool start(std::uint64_t epoch = 0);
    // Asks for a reload, taken by the control loop (begin_reload) when it may.
    // Returns the state then: only `running` accepts the request.
    LifecycleState request_reload();
    bool reload_requested() const;
    // running -> reloading (clears a request): from here on nothing is fetched until finish_reload.
    bool begin_reload();
    // reloading -> running on connections of `epoch` (the new wid), or -> quiet
    // when a quiet was asked for during the reload.
    bool finish_reload(std::uint64_t epoch = 0);
    // running -> quiet. During reloading the quiet is remembered and taken
    // when the reload finishes (the new wid then starts quiet).
    bool quiet();
    bool terminate();      // any state but terminating/stopped -> terminating
    bool stop();           // terminating -> stopped
    // Requested when terminate() first succeeds: cuts connects that are under way.
    std::stop_token terminate_requested() const { return terminate_source_.get_token(); }
    // When terminate() first succeeded: the shutdown deadline counts from here.
    std::optional<std::chrono::steady_clock::time_point> terminated_at() const;

    // For a connection that said HELLO under identity `epoch`: see FetchPermit.
    FetchPermit begin_fetch(std::uint64_t epoch);
    void end_fetch();
    // FETCHes granted and not yet ended.
    int fetches_in_flight() const;
    // Only a running worker fetches; every other state idles. A snapshot for
    // display and tests: processors ask begin_fetch(), which also counts the FETCH.
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
    std::uint64_t fetch_epoch_ = 0;
    int fetches_ = 0;
    bool reload_requested_ = false;
    bool quiet_after_reload_ = false;
    std::optional<std::chrono::steady_clock::time_point> terminated_at_;
    std::stop_source terminate_source_;
};

} // namespace faktory_host::worker
