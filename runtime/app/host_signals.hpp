// Process signals for faktory-host. HUP, INT, TERM, TSTP and TTIN get
// handlers that do one thing: write the signal's number into a pipe (the
// self-pipe trick). One watcher thread reads the pipe and acts, so the engine
// never runs inside a signal handler and no async-signal-safety puzzle arises.
//
// No thread blocks any signal. A mask would be inherited by every process a
// plugin starts (which then could not be stopped by `systemctl stop`), while
// handlers are reset to the default in a child at exec, and the pipe is
// close-on-exec. SIGPIPE is protocol/sigpipe_handler's; the fatal signals are
// crash/fatal_signals'.
#pragma once
#include <array>
#include <chrono>
#include <csignal>
#include <optional>
#include <thread>

#include <Poco/Logger.h>

#include "worker/worker_host.hpp"

namespace faktory_host::app {

// The pipe and the handlers that feed it. Create it first thing in the
// command that runs the engine: a signal arriving before the watcher reads
// the pipe waits there (as a blocked signal used to wait pending). One at a
// time per process; the destructor puts the previous dispositions back.
class ControlSignalPipe {
public:
    ControlSignalPipe();  // throws std::runtime_error when the pipe or a handler cannot be set up
    ~ControlSignalPipe();
    ControlSignalPipe(const ControlSignalPipe&) = delete;
    ControlSignalPipe& operator=(const ControlSignalPipe&) = delete;

    // The next signal received, waiting up to `timeout`; nullopt when none came.
    std::optional<int> next(std::chrono::milliseconds timeout);

private:
    static constexpr std::array<int, 5> handled{SIGHUP, SIGINT, SIGTERM, SIGTSTP, SIGTTIN};

    int read_end_ = -1;
    int write_end_ = -1;
    std::array<struct sigaction, handled.size()> previous_{};
};

// SIGHUP -> request_reload, SIGTSTP -> request_quiet, SIGTERM/SIGINT ->
// request_terminate, SIGTTIN -> logs describe_busy(). Also the exit
// watchdog: once the host is terminating (by signal or by the server), the
// process is ended with exit code 1 if it is still alive `exit_deadline`
// later, whatever a plugin is doing.
class SignalWatcher {
public:
    SignalWatcher(worker::WorkerHost& host, ControlSignalPipe& signals, Poco::Logger& logger,
                  std::chrono::milliseconds exit_deadline);
    ~SignalWatcher();  // stops and joins the thread
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
    void watch(std::stop_token stop);
    void handle(int signal);

    worker::WorkerHost& host_;
    ControlSignalPipe& signals_;
    Poco::Logger& logger_;
    const std::chrono::milliseconds exit_deadline_;
    std::optional<std::chrono::steady_clock::time_point> terminating_since_;
    std::jthread thread_;  // last: starts after everything it uses exists
};

} // namespace faktory_host::app
