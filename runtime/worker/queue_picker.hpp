// Chooses the queue list for each FETCH of one processor: strict order sends
// the queues as configured (the server takes the first non-empty one);
// weighted sends a weighted-random permutation per FETCH, as Faktory's Ruby
// worker does, so a busy high-weight queue cannot starve the others forever.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace faktory_host::worker {

class QueuePicker {
public:
    // Weights missing or zero count as 1, so a half-written weighted list still fetches every queue.
    QueuePicker(config::QueueSelection selection, std::uint64_t seed);

    // Not thread-safe: one picker per processor.
    std::vector<std::string> next();

private:
    config::QueueSelection selection_;
    std::mt19937_64 random_;
};

} // namespace faktory_host::worker
