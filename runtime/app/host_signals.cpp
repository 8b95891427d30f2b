// The control signals' self-pipe and the thread that acts on what comes through it.
#include "app/host_signals.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

namespace faktory_host::app {

namespace {

using namespace std::chrono_literals;

// Where the handler writes; -1 while no ControlSignalPipe exists. A lock-free
// atomic, so reading it is async-signal-safe.
std::atomic<int> pipe_write_end{-1};
static_assert(std::atomic<int>::is_always_lock_free);

// Async-signal-safe: one write(2) of one byte, errno left as the interrupted code had it.
void on_control_signal(int signal) {
    const int saved_errno = errno;
    const int fd = pipe_write_end.load(std::memory_order_relaxed);
    if (fd >= 0) {
        const auto byte = static_cast<unsigned char>(signal);
        // Non-blocking: when the pipe is full (64 KiB of unread signals) this one is dropped, as a
        // second pending instance of a blocked signal would have been.
        [[maybe_unused]] const auto written = ::write(fd, &byte, 1);
    }
    errno = saved_errno;
}

// Short enough that stopping the watcher and arming the watchdog feel immediate.
constexpr auto poll_interval = 200ms;

std::runtime_error system_error(const std::string& what) {
    return std::runtime_error(what + ": " + std::strerror(errno));
}

} // namespace

ControlSignalPipe::ControlSignalPipe() {
    int ends[2];
    // Close-on-exec: the processes plugins start must not hold (or write into) the pipe.
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) throw system_error("cannot create the control signals' pipe");
    read_end_ = ends[0];
    write_end_ = ends[1];
    int none = -1;
    if (!pipe_write_end.compare_exchange_strong(none, write_end_)) {
        ::close(read_end_);
        ::close(write_end_);
        throw std::logic_error("a ControlSignalPipe exists already in this process");
    }
    struct sigaction action {};
    action.sa_handler = on_control_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // other threads' system calls resume instead of failing with EINTR
    for (std::size_t i = 0; i < handled.size(); ++i) {
        if (::sigaction(handled[i], &action, &previous_[i]) == 0) continue;
        const auto error = system_error("cannot install the handler for signal " + std::to_string(handled[i]));
        while (i-- > 0) ::sigaction(handled[i], &previous_[i], nullptr);
        pipe_write_end.store(-1);
        ::close(read_end_);
        ::close(write_end_);
        throw error;
    }
}

ControlSignalPipe::~ControlSignalPipe() {
    for (std::size_t i = 0; i < handled.size(); ++i) ::sigaction(handled[i], &previous_[i], nullptr);
    pipe_write_end.store(-1);
    ::close(read_end_);
    ::close(write_end_);
}

std::optional<int> ControlSignalPipe::next(std::chrono::milliseconds timeout) {
    pollfd readable{read_end_, POLLIN, 0};
    // EINTR (a signal landed on this very thread) is "nothing yet": its byte is read on the next call.
    if (::poll(&readable, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    unsigned char byte = 0;
    if (::read(read_end_, &byte, 1) != 1) return std::nullopt;
    return static_cast<int>(byte);
}

SignalWatcher::SignalWatcher(worker::WorkerHost& host, ControlSignalPipe& signals, Poco::Logger& logger,
                             std::chrono::milliseconds exit_deadline)
    : host_(host), signals_(signals), logger_(logger), exit_deadline_(exit_deadline),
      thread_([this](std::stop_token stop) { watch(stop); }) {}

SignalWatcher::~SignalWatcher() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
}

void SignalWatcher::watch(std::stop_token stop) {
    while (!stop.stop_requested()) {
        if (const auto signal = signals_.next(poll_interval)) handle(*signal);

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
