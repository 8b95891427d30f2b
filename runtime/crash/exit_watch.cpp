// The on_exit handler (glibc: it receives the exit status, unlike atexit).
#include "crash/exit_watch.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

#include "crash/crash_line.hpp"
#include "crash/fatal_signals.hpp"

namespace faktory_host::crash {

namespace {

std::atomic<const RunningJobs*> running_jobs{nullptr};
std::atomic<bool> orderly{false};

void record_exit(DeathRecord* record, int status) {
    if (!record) return;
    record->exit_status.store(status, std::memory_order_relaxed);
    record->exit_called.store(1, std::memory_order_relaxed);
}

void report_other_job(const Activity& job, void*) {
    write_crash_line(STDERR_FILENO, &job,
                     {"job still running as the process exits: plugin \"", job.plugin, "\", jobtype ", job.jobtype,
                      ", jid ", job.jid});
}

struct CountContext {
    int count = 0;
};

void on_process_exit(int status, void*) {
    const Activity* mine = current_activity();
    const RunningJobs* others = running_jobs.load();
    if (!mine && orderly.load()) return;
    if (!mine) {
        // exit() from host code, or from a thread a plugin started: worth a word only when jobs are cut off.
        CountContext counted;
        if (others) others->each_running([](const Activity&, void* context) { ++static_cast<CountContext*>(context)->count; }, &counted);
        if (counted.count == 0) return;
    }
    const NumberText code(status);
    record_exit(mine ? mine->death : nullptr, status);
    if (auto* process = process_death_record(); process && !process->exit_called.load() && !process->signal.load())
        record_exit(process, status);
    if (!mine)
        write_crash_line(STDERR_FILENO, nullptr,
                         {"exit(", code.c_str(), ") was called outside plugin jobs while jobs were running; the "
                          "process exits"});
    else if (mine->phase)
        write_crash_line(STDERR_FILENO, mine,
                         {"plugin \"", mine->plugin, "\" called exit(", code.c_str(), ") during its ", mine->phase,
                          "; the process exits with status ", code.c_str()});
    else
        write_crash_line(STDERR_FILENO, mine,
                         {"plugin \"", mine->plugin, "\" called exit(", code.c_str(), ") while running jobtype ",
                          mine->jobtype, ", jid ", mine->jid, "; the process exits with status ", code.c_str()});
    if (others) others->each_running(report_other_job, nullptr);
}

} // namespace

void install_exit_watch() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (::on_exit(on_process_exit, nullptr) != 0) throw std::runtime_error("cannot register the exit handler");
    });
}

void set_running_jobs(const RunningJobs* jobs) noexcept { running_jobs.store(jobs); }
void set_orderly_exit(bool value) noexcept { orderly.store(value); }

} // namespace faktory_host::crash
