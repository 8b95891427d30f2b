// exit() called from plugin code: the process is about to vanish without a
// signal, so an on_exit handler names what was running. When the exiting
// thread is inside a plugin (a handler, init or shutdown) it names that
// plugin, its jobtype and jid, and the status; then every other job still
// running. The host's own orderly exit says nothing (set_orderly_exit), and
// the app leaves through std::_Exit, which runs no exit handlers at all.
#pragma once
#include "crash/activity.hpp"

namespace faktory_host::crash {

// The jobs running in other threads, for the exit report (worker::JobJournal).
class RunningJobs {
public:
    using Visitor = void (*)(const Activity& job, void* context);
    // Calls `visit` for every job running now, except the calling thread's own.
    virtual void each_running(Visitor visit, void* context) const noexcept = 0;

protected:
    ~RunningJobs() = default;
};

// Registers the exit handler once per process. Idempotent.
void install_exit_watch();

// Null to stop naming other jobs (the journal is closing).
void set_running_jobs(const RunningJobs* jobs) noexcept;

// True while the host is exiting on purpose: an exit() outside plugin code is then not reported.
void set_orderly_exit(bool orderly) noexcept;

} // namespace faktory_host::crash
