// The jobs in flight, on disk: one fixed-size slot per processor in a
// memory-mapped file of the state directory (MAP_SHARED, 0600). A slot is
// written when a handler starts (jid, jobtype, plugin, start time) and
// cleared when it returns: a few stores into memory, no system call, no
// allocation, no fsync. The kernel keeps a shared mapping's pages when the
// process dies, however it dies, so the next start finds the jobs that were
// running and FAILs them as WorkerCrashed instead of leaving them to their
// 30-minute reservation. The crash handlers (runtime/crash) record the fatal
// signal or exit() status into the crashing job's slot and the file header.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "crash/activity.hpp"
#include "crash/exit_watch.hpp"
#include "plugins/plugin_generation.hpp"

namespace faktory_host::worker {

namespace journal_format {
struct Header;
struct Slot;
} // namespace journal_format

// A job a previous process was running when it died, as its slot recorded it.
struct CrashedJob {
    std::string jid;
    std::string jobtype;
    std::string plugin;
    std::int64_t started_unix_ms = 0;
    int pid = 0;                  // the process that died
    int signal = 0;               // fatal signal on this job's thread, 0 = none recorded
    std::optional<int> exit_status;          // exit() called on this job's thread
    int process_signal = 0;       // the fatal signal, wherever it hit
    std::optional<int> process_exit_status;  // exit(), wherever it was called

    // The FAIL's message: plugin, jobtype and what is known of the cause.
    std::string describe() const;
};

struct JournalReading {
    std::vector<CrashedJob> jobs;
    std::string problem;  // non-empty when the file could not be used (it is moved aside, not lost)
};

class JobJournal final : public crash::RunningJobs {
public:
    JobJournal() = default;  // closed: entries still name the job to the crash handlers
    ~JobJournal();
    JobJournal(const JobJournal&) = delete;
    JobJournal& operator=(const JobJournal&) = delete;

    // What a previous process left in `file`: the jobs it was running when it
    // died. A missing file reads as none; an unreadable one is renamed to
    // <file>.unreadable and described in `problem`.
    static JournalReading read(const std::filesystem::path& file);

    // Starts a fresh journal in `file` (any old content is dropped: read() it
    // first) with one slot per processor of `pools`, and registers it with the
    // crash handlers. Throws std::runtime_error naming the file.
    void open(const std::filesystem::path& file, const std::vector<config::PoolConfig>& pools);
    bool is_open() const { return slots_ != nullptr; }

    // Clears every slot: on the host's orderly exit the shutdown path has
    // dealt with every job still running (FAILed or given back), so none of
    // them may be FAILed again as crashed at the next start.
    void clear_all() noexcept;

    // One running handler: fills the processor's slot and makes the job the
    // thread's crash activity; clears both when destroyed. `job` must outlive
    // the entry (it does: the processor holds it for the handler call).
    class Entry {
    public:
        Entry(JobJournal& journal, const std::string& pool, unsigned index, const plugins::JobInput& job,
              std::string_view plugin) noexcept;
        ~Entry();
        Entry(const Entry&) = delete;
        Entry& operator=(const Entry&) = delete;

    private:
        using PluginName = std::array<char, 128>;
        static PluginName copy_name(std::string_view plugin) noexcept;

        journal_format::Slot* slot_;
        PluginName plugin_;  // a copy on the stack: no allocation, and no reference to outlive
        crash::Activity activity_;
        crash::ActivityScope scope_;
    };

    void each_running(Visitor visit, void* context) const noexcept override;

private:
    journal_format::Slot* slot_of(const std::string& pool, unsigned index) const noexcept;
    void close() noexcept;

    int fd_ = -1;
    void* mapping_ = nullptr;
    std::size_t mapping_size_ = 0;
    journal_format::Header* header_ = nullptr;
    journal_format::Slot* slots_ = nullptr;
    unsigned slot_count_ = 0;
    std::vector<std::pair<std::string, unsigned>> pool_offsets_;  // pool name -> its first slot
};

} // namespace faktory_host::worker
