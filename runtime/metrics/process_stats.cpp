// /proc/self/stat, /proc/stat (boot time), /proc/self/fd and getrlimit.
#include "metrics/process_stats.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace faktory_host::metrics {

namespace {

// The fields of /proc/self/stat after the command name, which may contain
// spaces and parentheses: split after the last ')'. Index 0 is field 3 (state).
std::vector<std::string> stat_fields_after_name() {
    std::ifstream in("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    std::vector<std::string> fields;
    if (close == std::string::npos) return fields;
    std::istringstream rest(text.substr(close + 1));
    for (std::string field; rest >> field;) fields.push_back(field);
    return fields;
}

std::int64_t boot_time_seconds() {
    std::ifstream in("/proc/stat");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("btime ", 0) == 0) return std::stoll(line.substr(6));
    return 0;
}

} // namespace

ProcessStats read_process_stats() {
    ProcessStats stats;
    const auto fields = stat_fields_after_name();
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const long page = ::sysconf(_SC_PAGESIZE);
    // proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24 (1-based; ours start at 3).
    if (fields.size() > 21 && ticks > 0) {
        stats.cpu_seconds = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
        stats.start_time_seconds = static_cast<double>(boot_time_seconds()) + std::stod(fields[19]) / ticks;
        stats.virtual_memory_bytes = std::stoll(fields[20]);
        stats.resident_memory_bytes = std::stoll(fields[21]) * page;
    }
    std::error_code error;
    for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error))
        ++stats.open_fds;
    if (stats.open_fds > 0) --stats.open_fds;  // the directory handle the listing itself held
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        stats.max_fds = static_cast<std::int64_t>(limit.rlim_cur);
    return stats;
}

} // namespace faktory_host::metrics
