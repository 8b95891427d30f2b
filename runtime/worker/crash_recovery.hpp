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

// Reads the journal a previous process left, puts a WorkerCrashed FAIL for
// each job it shows in flight into the ledger (and tries to deliver them at
// once), then starts this process's fresh journal. Before the processors start.
void recover_crashed_jobs(EngineContext& ctx);

} // namespace faktory_host::worker
