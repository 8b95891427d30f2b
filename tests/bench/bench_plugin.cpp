// bench: the plugin scripts/bench runs in faktory-host (today's build and the
// baseline commit's alike, so both run the very same handler code).
//   "Noop"     does nothing: the throughput and CPU figures.
//   "Latency"  args [pushed_us]: the pusher's CLOCK_MONOTONIC time in
//              microseconds when it sent the job; records now - pushed_us, the
//              push-to-start latency (the clock is system-wide, so a time taken
//              in another process on the same machine compares).
// Once `expect` samples are recorded they are written to `out`, one number of
// microseconds per line (written to out.tmp, then renamed, so the reader never
// sees half a file); what was recorded by shutdown is written then if that
// never happened. Configuration: plugins.config.bench: {out: PATH, expect: N}.
// Uses only SDK 1.0 calls, so hosts as old as the baseline load it.
#include <faktory/plugin.hpp>

#include <time.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

std::int64_t monotonic_us() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

class LatencyRecord {
public:
    LatencyRecord(std::string out, std::int64_t expect) : out_(std::move(out)), expect_(expect) {
        samples_.reserve(static_cast<std::size_t>(expect_ > 0 ? expect_ : 0));
    }

    void add(std::int64_t micros) {
        std::lock_guard lock(mutex_);
        samples_.push_back(micros);
        if (!written_ && expect_ > 0 && static_cast<std::int64_t>(samples_.size()) >= expect_) write_locked();
    }

    void flush() {
        std::lock_guard lock(mutex_);
        if (!written_ && !samples_.empty()) write_locked();
    }

private:
    void write_locked() {
        written_ = true;
        if (out_.empty()) return;
        const std::string temporary = out_ + ".tmp";
        std::FILE* file = std::fopen(temporary.c_str(), "w");
        if (!file) return;  // the bench script reports the missing file by name
        for (const auto sample : samples_) std::fprintf(file, "%lld\n", static_cast<long long>(sample));
        const bool complete = std::fclose(file) == 0;
        if (complete) std::rename(temporary.c_str(), out_.c_str());
    }

    std::mutex mutex_;
    const std::string out_;
    const std::int64_t expect_;
    std::vector<std::int64_t> samples_;
    bool written_ = false;
};

} // namespace

FAKTORY_PLUGIN("bench", "1.0.0", plugin) {
    auto record = std::make_shared<LatencyRecord>(plugin.config<std::string>("out", ""),
                                                  plugin.config<std::int64_t>("expect", 0));
    plugin.handle("Noop", [](faktory::Job&) {});
    plugin.handle("Latency", [record](faktory::Job& job) {
        const auto started = monotonic_us();
        if (job.arg_count() < 1) throw std::invalid_argument("Latency needs args [pushed_us]");
        record->add(started - job.arg<std::int64_t>(0));
    });
    plugin.on_shutdown([record] { record->flush(); });
}
