// What the current thread is doing in plugin code, for the crash handlers: a
// fatal signal or an exit() on this thread names the plugin, jobtype and jid
// found here. ActivityScope sets it around every call into a plugin (a
// handler, init, shutdown). Only the thread itself reads its own record (from
// a signal handler or an exit handler), so a thread_local pointer with signal
// fences is enough: no locks, no allocation, nothing per job but two stores.
#pragma once
#include <atomic>
#include <cstdint>

namespace faktory_host::crash {

// How the process died, written by the crash handlers into memory the next
// start can read (a job journal slot, a MAP_SHARED file page that survives the
// process). All zero = nothing recorded. Lock-free atomics: signal-safe.
struct DeathRecord {
    std::atomic<std::int32_t> signal;       // the fatal signal, 0 = none
    std::atomic<std::int32_t> exit_called;  // 1 when exit() ran on this thread / in this process
    std::atomic<std::int32_t> exit_status;  // exit()'s status when exit_called
};
static_assert(sizeof(DeathRecord) == 12 && std::atomic<std::int32_t>::is_always_lock_free);

// Every pointer is NUL-terminated text owned by the caller and valid while
// the activity is current. `phase` is "init" or "shutdown" for those calls,
// null for a job.
struct Activity {
    const char* plugin = nullptr;
    const char* phase = nullptr;
    const char* jobtype = nullptr;
    const char* jid = nullptr;
    DeathRecord* death = nullptr;  // where this thread's cause of death goes; may be null
};

// The activity of the calling thread, or null when it runs host code only.
const Activity* current_activity() noexcept;

// Makes `activity` current for the scope's lifetime; nests (restores the previous one).
class ActivityScope {
public:
    explicit ActivityScope(const Activity& activity) noexcept;
    ~ActivityScope();
    ActivityScope(const ActivityScope&) = delete;
    ActivityScope& operator=(const ActivityScope&) = delete;

private:
    const Activity* previous_;
};

} // namespace faktory_host::crash
