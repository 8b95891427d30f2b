// The standard process_* metrics of Prometheus client libraries, read from
// /proc/self (Linux): CPU time, resident memory, open and maximum file
// descriptors, virtual memory, and the start time as a Unix timestamp.
#pragma once
#include <cstdint>
#include <optional>

namespace faktory_host::metrics {

struct ProcessStats {
    double cpu_seconds = 0;
    std::int64_t resident_memory_bytes = 0;
    std::int64_t virtual_memory_bytes = 0;
    std::int64_t open_fds = 0;
    std::optional<std::int64_t> max_fds;  // none when unlimited
    double start_time_seconds = 0;         // since the Unix epoch
};

ProcessStats read_process_stats();

} // namespace faktory_host::metrics
