// The fatal-signal handler and per-thread alternate stacks.
#include "crash/fatal_signals.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include "crash/crash_line.hpp"

namespace faktory_host::crash {

namespace {

constexpr int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

std::atomic<DeathRecord*> process_death{nullptr};

void on_fatal_signal(int signal, siginfo_t*, void*) {
    const int saved_errno = errno;
    const Activity* activity = current_activity();
    if (activity && activity->death) activity->death->signal.store(signal, std::memory_order_relaxed);
    if (auto* process = process_death.load(std::memory_order_relaxed)) {
        int none = 0;
        process->signal.compare_exchange_strong(none, signal, std::memory_order_relaxed);
    }
    const char* name = signal_name(signal);
    const char* meaning = signal_meaning(signal);
    if (!activity)
        write_crash_line(STDERR_FILENO, nullptr,
                         {"the host crashed with ", name, " (", meaning,
                          ") outside plugin code; the process dies with the signal"});
    else if (activity->phase)
        write_crash_line(STDERR_FILENO, activity,
                         {"plugin \"", activity->plugin, "\" crashed the process with ", name, " (", meaning,
                          ") during its ", activity->phase, "; the process dies with the signal"});
    else
        write_crash_line(STDERR_FILENO, activity,
                         {"plugin \"", activity->plugin, "\" crashed the process with ", name, " (", meaning,
                          ") while running jobtype ", activity->jobtype, ", jid ", activity->jid,
                          "; the process dies with the signal"});
    errno = saved_errno;
    // SA_RESETHAND restored the default action. A fault would repeat on return
    // anyway, but a raise()d or kill()ed signal would not: send it again. It
    // stays blocked (pending) until this handler returns, then kills the process.
    ::raise(signal);
}

// The calling thread's alternate stack, unregistered and unmapped when the thread exits.
struct AlternateStack {
    bool checked = false;  // the system call is made once per thread, not once per job
    void* memory = nullptr;
    std::size_t size = 0;
    ~AlternateStack() {
        if (!memory) return;
        stack_t off{};
        off.ss_flags = SS_DISABLE;
        ::sigaltstack(&off, nullptr);
        ::munmap(memory, size);
    }
};

} // namespace

void ensure_alternate_signal_stack() {
    thread_local AlternateStack stack;
    if (stack.checked) return;
    stack.checked = true;
    stack_t current{};
    if (::sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;  // has one already
    const long minimum = ::sysconf(_SC_MINSIGSTKSZ);
    const std::size_t size = std::max<std::size_t>(64 * 1024, minimum > 0 ? 4 * static_cast<std::size_t>(minimum) : 0);
    void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (memory == MAP_FAILED)
        throw std::runtime_error(std::string("cannot allocate an alternate signal stack: ") + std::strerror(errno));
    stack_t next{};
    next.ss_sp = memory;
    next.ss_size = size;
    if (::sigaltstack(&next, nullptr) != 0) {
        const int error = errno;
        ::munmap(memory, size);
        throw std::runtime_error(std::string("cannot install an alternate signal stack: ") + std::strerror(error));
    }
    stack.memory = memory;
    stack.size = size;
}

void install_fatal_signal_handlers() {
    struct sigaction action {};
    action.sa_sigaction = on_fatal_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    for (const int signal : fatal_signals)
        if (::sigaction(signal, &action, nullptr) != 0)
            throw std::runtime_error(std::string("cannot install the handler for ") + signal_name(signal) + ": " +
                                     std::strerror(errno));
    ensure_alternate_signal_stack();
}

void set_process_death_record(DeathRecord* record) noexcept { process_death.store(record); }
DeathRecord* process_death_record() noexcept { return process_death.load(); }

} // namespace faktory_host::crash
