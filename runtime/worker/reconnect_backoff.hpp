// How long to wait before the next reconnect attempt: capped exponential
// backoff with jitter, so a fleet of processors does not hammer a server that
// is coming back all in the same instant. One instance per connection.
#pragma once
#include <chrono>
#include <cstdint>
#include <random>

namespace faktory_host::worker {

struct BackoffPolicy {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds cap{10000};
    double jitter = 0.2;  // each delay is the base delay times a factor in [1 - jitter, 1 + jitter]
};

class ReconnectBackoff {
public:
    explicit ReconnectBackoff(BackoffPolicy policy = {}, std::uint64_t seed = std::random_device{}());

    // The delay before the next attempt; the base doubles per call up to the cap.
    std::chrono::milliseconds next_delay();
    // After a successful connect: the next outage starts from `initial` again.
    void reset();
    unsigned failures() const { return failures_; }

private:
    BackoffPolicy policy_;
    unsigned failures_ = 0;
    std::mt19937_64 random_;
};

} // namespace faktory_host::worker
