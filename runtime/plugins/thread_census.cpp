// live_threads() and friends: reading /proc/self/task (see the header for why).
#include "plugins/thread_census.hpp"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace faktory_host::plugins {

namespace {

// The start time of thread `tid`, or 0 when it has gone. The command name in
// parentheses may hold spaces and parentheses, so fields are counted after the last ')'.
unsigned long long start_time_of(pid_t tid) {
    std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return 0;
    const auto close = line.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(line.substr(close + 1));
    std::string field;
    // Field 3 (state) is the first after ')'; start time is field 22.
    for (int number = 3; number <= 22 && (fields >> field); ++number)
        if (number == 22) return std::strtoull(field.c_str(), nullptr, 10);
    return 0;
}

} // namespace

std::vector<ThreadMark> live_threads() {
    std::vector<ThreadMark> threads;
    DIR* tasks = ::opendir("/proc/self/task");
    if (!tasks) return threads;
    while (const dirent* entry = ::readdir(tasks)) {
        const pid_t tid = static_cast<pid_t>(std::strtol(entry->d_name, nullptr, 10));
        if (tid <= 0) continue;
        if (const auto started = start_time_of(tid)) threads.push_back({tid, started});
    }
    ::closedir(tasks);
    return threads;
}

std::vector<ThreadMark> threads_started_between(const std::vector<ThreadMark>& before,
                                                const std::vector<ThreadMark>& after) {
    std::vector<ThreadMark> started;
    for (const auto& thread : after)
        if (std::find(before.begin(), before.end(), thread) == before.end()) started.push_back(thread);
    return started;
}

std::size_t still_running(const std::vector<ThreadMark>& threads) {
    return static_cast<std::size_t>(std::count_if(threads.begin(), threads.end(), [](const ThreadMark& thread) {
        return start_time_of(thread.tid) == thread.start_time;
    }));
}

} // namespace faktory_host::plugins
