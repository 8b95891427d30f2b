// The host's side of the crash journal at start: lock the state directory,
// arm the crash handlers, and FAIL as WorkerCrashed the jobs a dead
// predecessor left in its journal, before the first FETCH.
#pragma once

namespace faktory_host::worker {

struct EngineContext;

// Locks worker.state_dir (throws, naming the directory and the holder's pid,
// when another live host has it) and installs the fatal-signal and exit()
// handlers. First thing in run(): before any plugin code runs.
void prepare_crash_journal(EngineContext& ctx);

// Takes the results a previous run saved undelivered, reads the journal a
// previous process left and puts a WorkerCrashed FAIL for each job it shows
// in flight into the ledger, tries to deliver all of them at once, saves what
// is left, then starts this process's fresh journal. Before the processors start.
void recover_crashed_jobs(EngineContext& ctx);

// Writes the ledger (what is still undelivered, possibly nothing) to the state
// directory's results file, for the next start. At exit, after the last attempt.
void save_undelivered_results(EngineContext& ctx);

} // namespace faktory_host::worker
