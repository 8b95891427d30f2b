// What every connection of one dev server shares: clock, jobs, workers, the
// password, fault-injection switches and the counters INFO reports.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "devserver/job_store.hpp"
#include "devserver/server_clock.hpp"
#include "devserver/worker_registry.hpp"

namespace faktory_host::devserver {

// Switches the test-facing fault-injection calls flip; connections read them.
struct FaultSwitches {
    std::atomic<std::int64_t> reply_delay_ms{0};
    std::atomic<std::int64_t> refuse_until_ms{0};     // steady_clock ms since epoch
    std::atomic<std::uint64_t> garbage_generation{0};  // bumped by send_garbage_frame()
};

// One of Faktory's set scanners (Scheduled, Retries, Dead), as INFO reports it.
struct ScannerStats {
    std::atomic<std::int64_t> cycles{0};         // times it ran
    std::atomic<std::int64_t> enqueued{0};       // jobs it moved (for Dead: dropped)
    std::atomic<std::int64_t> wall_time_ns{0};   // total time spent running
};

// The periodic tasks, reported under INFO's faktory.tasks.
struct TaskStats {
    ScannerStats scheduled;
    ScannerStats retries;
    ScannerStats dead;
    std::atomic<std::int64_t> busy_reaped{0};     // reservations expired
    std::atomic<std::int64_t> workers_reaped{0};  // workers dropped for silence
};

struct ServerState {
    ServerState() : jobs(clock), workers(clock) {}

    ServerClock clock;
    JobStore jobs;
    WorkerRegistry workers;
    std::string password;
    FaultSwitches faults;
    TaskStats tasks;
    std::atomic<std::int64_t> connections{0};  // connections past the handshake
    std::atomic<std::int64_t> command_count{0};  // commands read since start (INFO server.command_count)
    std::atomic<bool> stopping{false};
    // Set from begin_shutdown() until a restart listens again: every command
    // read meanwhile is refused and its connection closed, as Faktory does.
    std::atomic<bool> shutting_down{false};
    // Commands past the shutdown check and not yet carried out; begin_shutdown()
    // waits for this to drain so nothing changes the state after it returns.
    std::atomic<int> commands_in_flight{0};
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

} // namespace faktory_host::devserver
