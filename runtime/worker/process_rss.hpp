// The process's resident set size, which BEAT reports as rss_kb.
#pragma once
#include <cstdint>

namespace faktory_host::worker {

// From /proc/self/statm; 0 when it cannot be read (not Linux, /proc not mounted).
std::int64_t resident_set_kb();

} // namespace faktory_host::worker
