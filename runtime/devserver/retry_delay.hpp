// When Faktory runs a failed job again: retry n (0-based count of earlier
// failures) waits n^4 + 15 + rand(0..29) * (n + 1) seconds.
#pragma once
#include <chrono>

namespace faktory_host::devserver {

// `random_0_to_29` is the draw; exposed so tests can pin the bounds.
std::chrono::seconds retry_delay(int retry_count, int random_0_to_29);
std::chrono::seconds retry_delay(int retry_count);  // draws at random

} // namespace faktory_host::devserver
