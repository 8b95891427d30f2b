// Fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT): one log line
// naming the plugin, jobtype and jid the crashing thread was running, the
// signal recorded where the next start reads it, then the process dies of
// that very signal (exit status and core dump as without the handler).
#pragma once
#include <atomic>

#include "crash/activity.hpp"

namespace faktory_host::crash {

// Installs the handlers (SA_ONSTACK, SA_RESETHAND) process-wide, and an
// alternate signal stack on the calling thread. Idempotent.
void install_fatal_signal_handlers();

// Gives the calling thread its own alternate signal stack, so the handler
// runs even when the crash is a stack overflow. Threads that run plugin code
// call it once; a thread that already has one (e.g. set up by a test
// framework) keeps it. Freed when the thread exits.
void ensure_alternate_signal_stack();

// Where the process as a whole records its cause of death (the job journal's
// header), alongside the crashing thread's own record. Null to stop.
void set_process_death_record(DeathRecord* record) noexcept;
DeathRecord* process_death_record() noexcept;

} // namespace faktory_host::crash
