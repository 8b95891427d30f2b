// The host's state directory (worker.state_dir): files that must outlive the
// process, owned by the host and readable by nobody else. Opening it creates
// it (0700) when missing and takes an exclusive lock (flock on a 0600 lock
// file holding our pid): two hosts on one state dir would FAIL each other's
// running jobs as crashed, so the second one refuses to start. The kernel
// drops the lock when its holder dies, so a crash never leaves it stuck.
#pragma once
#include <filesystem>

namespace faktory_host::worker {

class StateDirectory {
public:
    // Creates and locks `path`. Throws std::runtime_error naming the directory
    // and, when another live host holds it, that host's pid.
    explicit StateDirectory(const std::filesystem::path& path);
    ~StateDirectory();  // releases the lock
    StateDirectory(const StateDirectory&) = delete;
    StateDirectory& operator=(const StateDirectory&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // The jobs in flight (JobJournal), one memory-mapped slot per processor.
    std::filesystem::path job_journal_file() const { return path_ / "jobs-in-flight.journal"; }
    // Results not yet delivered at exit, sent first on the next start (written by the result ledger).
    std::filesystem::path result_ledger_file() const { return path_ / "results.json"; }

private:
    std::filesystem::path path_;
    int lock_fd_ = -1;
};

} // namespace faktory_host::worker
