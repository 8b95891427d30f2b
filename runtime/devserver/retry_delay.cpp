// Faktory's retry back-off formula.
#include "devserver/retry_delay.hpp"

#include <cstdint>
#include <random>

namespace faktory_host::devserver {

std::chrono::seconds retry_delay(int retry_count, int random_0_to_29) {
    const std::int64_t n = retry_count;
    return std::chrono::seconds(n * n * n * n + 15 + static_cast<std::int64_t>(random_0_to_29) * (n + 1));
}

std::chrono::seconds retry_delay(int retry_count) {
    thread_local std::mt19937 generator{std::random_device{}()};
    return retry_delay(retry_count, std::uniform_int_distribution<int>(0, 29)(generator));
}

} // namespace faktory_host::devserver
