// Capped exponential backoff with jitter.
#include "worker/reconnect_backoff.hpp"

#include <algorithm>

namespace faktory_host::worker {

ReconnectBackoff::ReconnectBackoff(BackoffPolicy policy, std::uint64_t seed) : policy_(policy), random_(seed) {}

std::chrono::milliseconds ReconnectBackoff::next_delay() {
    // Doubling stops at the cap, so the shift never overflows however long the outage lasts.
    auto base = policy_.initial;
    for (unsigned i = 0; i < failures_ && base < policy_.cap; ++i) base *= 2;
    base = std::min(base, policy_.cap);
    ++failures_;
    std::uniform_real_distribution<double> factor(1.0 - policy_.jitter, 1.0 + policy_.jitter);
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * factor(random_)));
}

void ReconnectBackoff::reset() { failures_ = 0; }

} // namespace faktory_host::worker
