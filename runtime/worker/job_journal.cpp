// JobJournal: the file format, reading what a dead process left, and the
// per-job slot writes (the hot path: stores into mapped memory only).
#include "worker/job_journal.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>
#include <system_error>

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "crash/crash_line.hpp"
#include "crash/fatal_signals.hpp"

namespace faktory_host::worker {

namespace fs = std::filesystem;

namespace journal_format {

constexpr char magic[8] = {'F', 'K', 'H', 'J', 'O', 'B', 'S', '\n'};
constexpr std::uint32_t version = 1;
constexpr std::size_t header_size = 4096;  // one page; the slots start page-aligned
constexpr std::size_t slot_size = 1024;

struct Header {
    char magic[8];
    std::uint32_t version;
    std::uint32_t slot_size;
    std::uint32_t slot_count;
    std::int32_t pid;
    std::int64_t opened_unix_ms;
    crash::DeathRecord death;  // the process's cause of death, wherever it hit
};

// Cache-line aligned, so processors never write the same line.
struct alignas(64) Slot {
    std::atomic<std::uint32_t> state;     // 0 free, 1 a handler runs
    std::atomic<std::uint32_t> sequence;  // odd while being written (read by the exit report)
    std::int64_t started_unix_ms;
    std::uint32_t jid_length;             // the full length; more than fits means it cannot be FAILed
    crash::DeathRecord death;             // this job's thread's cause of death
    char plugin[128];
    char jobtype[256];
    char jid[560];
};

static_assert(sizeof(Header) <= header_size);
static_assert(sizeof(Slot) == slot_size);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

} // namespace journal_format

using journal_format::Header;
using journal_format::Slot;

namespace {

std::int64_t unix_ms_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Copies `text` into a fixed field, cut short if need be, always NUL-terminated.
template <std::size_t N>
void copy_field(char (&field)[N], const std::string& text) {
    const auto length = std::min(text.size(), N - 1);
    std::memcpy(field, text.data(), length);
    field[length] = '\0';
}

template <std::size_t N>
std::string read_field(const char (&field)[N]) {
    return std::string(field, ::strnlen(field, N));
}

template <typename T>
T read_at(const std::vector<char>& bytes, std::size_t offset) {
    T value{};
    std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

std::string describe_signal(int signal) {
    return std::string(crash::signal_name(signal)) + " (" + crash::signal_meaning(signal) + ")";
}

} // namespace

std::string CrashedJob::describe() const {
    const std::string where = "plugin \"" + plugin + "\" (jobtype " + jobtype + ")";
    const std::string process = "the host process" + (pid ? " (pid " + std::to_string(pid) + ")" : std::string());
    std::string text;
    if (signal)
        text = process + " died of " + describe_signal(signal) + " raised while this job ran in " + where;
    else if (exit_status)
        text = where + " called exit(" + std::to_string(*exit_status) + ") while running this job, ending " + process;
    else if (process_signal)
        text = process + " died of " + describe_signal(process_signal) + " raised in another job while this job ran in " + where;
    else if (process_exit_status)
        text = process + " exited (exit(" + std::to_string(*process_exit_status) + ") called elsewhere) while this job ran in " + where;
    else
        text = process + " died while this job ran in " + where +
               "; the cause was not recorded (SIGKILL, the OOM killer, a power loss ...)";
    if (started_unix_ms > 0)
        text += "; the job started at " +
                Poco::DateTimeFormatter::format(Poco::Timestamp(started_unix_ms * 1000), "%Y-%m-%dT%H:%M:%S.%iZ");
    return text;
}

JournalReading JobJournal::read(const fs::path& file) {
    JournalReading reading;
    std::error_code error;
    if (!fs::exists(fs::symlink_status(file, error))) return reading;

    std::vector<char> bytes;
    std::string problem;
    {
        std::ifstream in(file, std::ios::binary);
        if (!in) problem = "cannot be read";
        else bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::uint32_t slot_count = 0;
    if (problem.empty()) {
        if (bytes.size() < sizeof(Header) || std::memcmp(bytes.data(), journal_format::magic, sizeof journal_format::magic) != 0)
            problem = "is not a job journal (no header)";
        else if (read_at<std::uint32_t>(bytes, offsetof(Header, version)) != journal_format::version ||
                 read_at<std::uint32_t>(bytes, offsetof(Header, slot_size)) != journal_format::slot_size)
            problem = "was written by another version of faktory-host (format " +
                      std::to_string(read_at<std::uint32_t>(bytes, offsetof(Header, version))) + ")";
        else if ((slot_count = read_at<std::uint32_t>(bytes, offsetof(Header, slot_count))),
                 bytes.size() < journal_format::header_size + std::size_t{slot_count} * journal_format::slot_size)
            problem = "is shorter than its " + std::to_string(slot_count) + " slots";
    }
    if (!problem.empty()) {
        const auto aside = fs::path(file.string() + ".unreadable");
        fs::rename(file, aside, error);
        reading.problem = file.string() + " " + problem + "; moved aside to " + aside.string() +
                          " (jobs it may name were not FAILed and will wait out their reservation)";
        return reading;
    }

    const auto pid = read_at<std::int32_t>(bytes, offsetof(Header, pid));
    const auto death_at = offsetof(Header, death);
    const auto process_signal = read_at<std::int32_t>(bytes, death_at + offsetof(crash::DeathRecord, signal));
    const bool process_exited = read_at<std::int32_t>(bytes, death_at + offsetof(crash::DeathRecord, exit_called)) != 0;
    const auto process_status = read_at<std::int32_t>(bytes, death_at + offsetof(crash::DeathRecord, exit_status));
    for (std::uint32_t i = 0; i < slot_count; ++i) {
        const std::size_t at = journal_format::header_size + std::size_t{i} * journal_format::slot_size;
        if (read_at<std::uint32_t>(bytes, at + offsetof(Slot, state)) != 1) continue;
        // The bytes of one slot, as plain data: it is only read here, never run on.
        struct Fields {
            char plugin[sizeof(Slot::plugin)];
            char jobtype[sizeof(Slot::jobtype)];
            char jid[sizeof(Slot::jid)];
        } fields{};
        std::memcpy(fields.plugin, bytes.data() + at + offsetof(Slot, plugin), sizeof fields.plugin);
        std::memcpy(fields.jobtype, bytes.data() + at + offsetof(Slot, jobtype), sizeof fields.jobtype);
        std::memcpy(fields.jid, bytes.data() + at + offsetof(Slot, jid), sizeof fields.jid);
        CrashedJob job;
        job.jid = read_field(fields.jid);
        job.jobtype = read_field(fields.jobtype);
        job.plugin = read_field(fields.plugin);
        job.started_unix_ms = read_at<std::int64_t>(bytes, at + offsetof(Slot, started_unix_ms));
        job.pid = pid;
        const auto slot_death = at + offsetof(Slot, death);
        job.signal = read_at<std::int32_t>(bytes, slot_death + offsetof(crash::DeathRecord, signal));
        if (read_at<std::int32_t>(bytes, slot_death + offsetof(crash::DeathRecord, exit_called)))
            job.exit_status = read_at<std::int32_t>(bytes, slot_death + offsetof(crash::DeathRecord, exit_status));
        job.process_signal = process_signal;
        if (process_exited) job.process_exit_status = process_status;
        if (read_at<std::uint32_t>(bytes, at + offsetof(Slot, jid_length)) != job.jid.size() || job.jid.empty()) {
            reading.problem += (reading.problem.empty() ? "" : "; ") + file.string() + " slot " + std::to_string(i) +
                               ": the jid (starting \"" + job.jid.substr(0, 40) +
                               "\") was too long to record whole; that job cannot be FAILed and waits out its "
                               "reservation";
            continue;
        }
        reading.jobs.push_back(std::move(job));
    }
    return reading;
}

JobJournal::~JobJournal() { close(); }

void JobJournal::close() noexcept {
    if (!mapping_) return;
    crash::set_running_jobs(nullptr);
    if (crash::process_death_record() == &header_->death) crash::set_process_death_record(nullptr);
    ::munmap(mapping_, mapping_size_);
    ::close(fd_);
    mapping_ = nullptr;
    header_ = nullptr;
    slots_ = nullptr;
    fd_ = -1;
}

void JobJournal::open(const fs::path& file, const std::vector<config::PoolConfig>& pools) {
    close();
    unsigned count = 0;
    pool_offsets_.clear();
    for (const auto& pool : pools) {
        pool_offsets_.emplace_back(pool.name, count);
        count += pool.concurrency;
    }
    const std::size_t size = journal_format::header_size + std::size_t{count} * journal_format::slot_size;
    const auto fail = [&](const std::string& what) {
        const int error = errno;
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("cannot " + what + " the job journal " + file.string() + ": " + std::strerror(error));
    };
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) fail("open");
    // Start from zeros: truncating drops the old slots, growing again zero-fills.
    if (::fchmod(fd_, 0600) != 0 || ::ftruncate(fd_, 0) != 0 || ::ftruncate(fd_, static_cast<off_t>(size)) != 0)
        fail("size");
    void* mapping = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (mapping == MAP_FAILED) fail("map");
    mapping_ = mapping;
    mapping_size_ = size;
    auto* base = static_cast<char*>(mapping);
    header_ = new (base) Header{};
    std::memcpy(header_->magic, journal_format::magic, sizeof journal_format::magic);
    header_->version = journal_format::version;
    header_->slot_size = journal_format::slot_size;
    header_->slot_count = count;
    header_->pid = static_cast<std::int32_t>(::getpid());
    header_->opened_unix_ms = unix_ms_now();
    for (unsigned i = 0; i < count; ++i) new (base + journal_format::header_size + i * journal_format::slot_size) Slot{};
    slots_ = reinterpret_cast<Slot*>(base + journal_format::header_size);
    slot_count_ = count;
    crash::set_process_death_record(&header_->death);
    crash::set_running_jobs(this);
}

void JobJournal::clear_all() noexcept {
    for (unsigned i = 0; i < slot_count_ && slots_; ++i) slots_[i].state.store(0, std::memory_order_release);
}

Slot* JobJournal::slot_of(const std::string& pool, unsigned index) const noexcept {
    if (!slots_) return nullptr;
    for (const auto& [name, first] : pool_offsets_)
        if (name == pool) return first + index < slot_count_ ? &slots_[first + index] : nullptr;
    return nullptr;
}

JobJournal::Entry::PluginName JobJournal::Entry::copy_name(std::string_view plugin) noexcept {
    if (plugin.empty()) plugin = "(no plugin)";  // unknown jobtype: the generation FAILs it without plugin code
    PluginName name;
    const auto length = std::min(plugin.size(), name.size() - 1);
    std::memcpy(name.data(), plugin.data(), length);
    name[length] = '\0';
    return name;
}

JobJournal::Entry::Entry(JobJournal& journal, const std::string& pool, unsigned index, const plugins::JobInput& job,
                         std::string_view plugin) noexcept
    : slot_(journal.slot_of(pool, index)),
      plugin_(copy_name(plugin)),
      activity_{plugin_.data(), nullptr, job.jobtype.c_str(), job.jid.c_str(), slot_ ? &slot_->death : nullptr},
      scope_(activity_) {
    try {
        crash::ensure_alternate_signal_stack();  // once per thread; a stack overflow in a handler still gets its line
    } catch (...) {
        // Without it a stack overflow dies silently; every other crash is still reported.
    }
    if (!slot_) return;
    const auto sequence = slot_->sequence.load(std::memory_order_relaxed);
    slot_->sequence.store(sequence + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    slot_->started_unix_ms = unix_ms_now();
    slot_->jid_length = static_cast<std::uint32_t>(job.jid.size());
    slot_->death.signal.store(0, std::memory_order_relaxed);
    slot_->death.exit_called.store(0, std::memory_order_relaxed);
    std::memcpy(slot_->plugin, plugin_.data(), std::min(sizeof slot_->plugin, plugin_.size()));
    copy_field(slot_->jobtype, job.jobtype);
    copy_field(slot_->jid, job.jid);
    slot_->sequence.store(sequence + 2, std::memory_order_release);
    slot_->state.store(1, std::memory_order_release);
}

JobJournal::Entry::~Entry() {
    if (slot_) slot_->state.store(0, std::memory_order_release);
}

void JobJournal::each_running(Visitor visit, void* context) const noexcept {
    const crash::Activity* mine = crash::current_activity();
    for (unsigned i = 0; i < slot_count_ && slots_; ++i) {
        const Slot& slot = slots_[i];
        if (mine && mine->death == &slot.death) continue;
        if (slot.state.load(std::memory_order_acquire) != 1) continue;
        const auto before = slot.sequence.load(std::memory_order_acquire);
        if (before % 2) continue;
        char plugin[sizeof slot.plugin], jobtype[sizeof slot.jobtype], jid[sizeof slot.jid];
        std::memcpy(plugin, slot.plugin, sizeof plugin);
        std::memcpy(jobtype, slot.jobtype, sizeof jobtype);
        std::memcpy(jid, slot.jid, sizeof jid);
        std::atomic_thread_fence(std::memory_order_acquire);
        // Rewritten meanwhile (the job ended, another began): skip rather than name a mix of two.
        if (slot.sequence.load(std::memory_order_relaxed) != before) continue;
        plugin[sizeof plugin - 1] = jobtype[sizeof jobtype - 1] = jid[sizeof jid - 1] = '\0';
        visit(crash::Activity{plugin, nullptr, jobtype, jid, nullptr}, context);
    }
}

} // namespace faktory_host::worker
