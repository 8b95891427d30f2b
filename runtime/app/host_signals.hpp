// Process signals for faktory-host. The five control signals are blocked in
// every thread (block them first thing in main, before any thread exists, so
// threads inherit the mask) and taken by one watcher thread with
// sigtimedwait: no async-signal-safety puzzles, no handler racing the engine.
#pragma once
#include <chrono>
#include <optional>
#include <thread>

#include <Poco/Logger.h>

#include "worker/worker_host.hpp"

namespace faktory_host::app {

// Blocks SIGHUP, SIGTSTP, SIGTTIN, SIGTERM and SIGINT in the calling thread
// (and so in every thread created after). SIGPIPE is protocol/sigpipe_handler's.
void block_host_signals();
// Undoes the blocking for subcommands that run no engine (check, run-job,
// push), so Ctrl-C and friends act as usual there.
void unblock_host_signals();

// SIGHUP -> request_reload, SIGTSTP -> request_quiet, SIGTERM/SIGINT ->
// request_terminate, SIGTTIN -> logs describe_busy(). Also the exit
// watchdog: once the host is terminating (by signal or by the server), the
// process is ended with exit code 1 if it is still alive `exit_deadline`
// later, whatever a plugin is doing.
class SignalWatcher {
public:
    SignalWatcher(worker::WorkerHost& host, Poco::Logger& logger, std::chrono::milliseconds exit_deadline);
    ~SignalWatcher();  // stops and joins the thread
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
    void watch(std::stop_token stop);
    void handle(int signal);

    worker::WorkerHost& host_;
    Poco::Logger& logger_;
    const std::chrono::milliseconds exit_deadline_;
    std::optional<std::chrono::steady_clock::time_point> terminating_since_;
    std::jthread thread_;  // last: starts after everything it uses exists
};

} // namespace faktory_host::app
