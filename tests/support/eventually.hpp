// Polls a condition until it holds or a deadline passes: tests wait for
// observable state, never for a fixed sleep.
#pragma once
#include <chrono>
#include <thread>

namespace faktory_host::testing {

template <typename Predicate>
bool eventually(Predicate&& holds, std::chrono::milliseconds deadline = std::chrono::seconds(10),
                std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (true) {
        if (holds()) return true;
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(poll);
    }
}

} // namespace faktory_host::testing
