// The process's threads as /proc/self/task lists them, so the loader can tell
// which threads a plugin started while it was being loaded (static
// constructors, init) and whether any of them still runs once the plugin has
// been shut down. A thread is identified by its id and its start time, so a
// thread id the kernel hands out again later is not mistaken for the old one.
#pragma once
#include <sys/types.h>

#include <vector>

namespace faktory_host::plugins {

struct ThreadMark {
    pid_t tid = 0;
    unsigned long long start_time = 0;  // clock ticks since boot (/proc/.../stat field 22)
    bool operator==(const ThreadMark&) const = default;
};

// Every thread of this process right now.
std::vector<ThreadMark> live_threads();

// The threads in `after` that are not in `before`.
std::vector<ThreadMark> threads_started_between(const std::vector<ThreadMark>& before,
                                                const std::vector<ThreadMark>& after);

// How many of `threads` are still alive.
std::size_t still_running(const std::vector<ThreadMark>& threads);

} // namespace faktory_host::plugins
