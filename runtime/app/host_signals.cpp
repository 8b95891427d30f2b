// The signal-watching thread and the process-wide signal mask.
#include "app/host_signals.hpp"

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include <pthread.h>

namespace faktory_host::app {

namespace {

sigset_t control_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int signal : {SIGHUP, SIGTSTP, SIGTTIN, SIGTERM, SIGINT}) sigaddset(&set, signal);
    return set;
}

// Short enough that stopping the watcher and arming the watchdog feel immediate.
constexpr long poll_nanoseconds = 200'000'000;

} // namespace

void block_host_signals() {
    const sigset_t set = control_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void unblock_host_signals() {
    const sigset_t set = control_signals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(worker::WorkerHost& host, Poco::Logger& logger, std::chrono::milliseconds exit_deadline)
    : host_(host), logger_(logger), exit_deadline_(exit_deadline),
      thread_([this](std::stop_token stop) { watch(stop); }) {}

SignalWatcher::~SignalWatcher() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
}

void SignalWatcher::watch(std::stop_token stop) {
    const sigset_t set = control_signals();
    const timespec poll{0, poll_nanoseconds};
    while (!stop.stop_requested()) {
        const int signal = sigtimedwait(&set, nullptr, &poll);
        if (signal > 0) handle(signal);

        const auto now = std::chrono::steady_clock::now();
        if (!terminating_since_ && host_.state() == worker::LifecycleState::terminating) terminating_since_ = now;
        if (terminating_since_ && now - *terminating_since_ >= exit_deadline_) {
            logger_.critical("still running " + std::to_string(exit_deadline_.count()) +
                             " ms after terminate (a handler ignores cancellation?); exiting now");
            std::cout.flush();
            std::cerr.flush();
            std::_Exit(1);
        }
    }
}

void SignalWatcher::handle(int signal) {
    switch (signal) {
    case SIGHUP:
        logger_.information("SIGHUP: reload of the configuration and plugins requested");
        host_.request_reload();
        break;
    case SIGTSTP:
        logger_.information("SIGTSTP: going quiet until terminated");
        host_.request_quiet();
        break;
    case SIGTERM:
    case SIGINT:
        logger_.information(std::string(signal == SIGTERM ? "SIGTERM" : "SIGINT") + ": terminating");
        host_.request_terminate();
        break;
    case SIGTTIN: {
        const auto busy = host_.describe_busy();
        logger_.information(busy.empty() ? "SIGTTIN: no job is running" : "SIGTTIN: running jobs:\n" + busy);
        break;
    }
    default:
        break;
    }
}

} // namespace faktory_host::app
