// Resident set size from /proc/self/statm (its second field, in pages).
#include "worker/process_rss.hpp"

#include <fstream>

#include <unistd.h>

namespace faktory_host::worker {

std::int64_t resident_set_kb() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t total_pages = 0, resident_pages = 0;
    if (!(statm >> total_pages >> resident_pages)) return 0;
    const long page_size = ::sysconf(_SC_PAGESIZE);
    return page_size > 0 ? resident_pages * (page_size / 1024) : 0;
}

} // namespace faktory_host::worker
