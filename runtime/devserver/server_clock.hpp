// The dev server's notion of "now": the system clock plus an offset tests can
// move forward, so retries, schedules and reservations fall due without waiting.
#pragma once
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace faktory_host::devserver {

// Microseconds, not the system clock's nanoseconds, so far-future `at` times
// (year 2999) fit, as they do in Go.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

class ServerClock {
public:
    TimePoint now() const {
        return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()) +
               std::chrono::milliseconds(offset_ms_.load());
    }
    void advance(std::chrono::milliseconds by) { offset_ms_ += by.count(); }
    // How far ahead of the system clock it runs; kept across a state file.
    std::chrono::milliseconds offset() const { return std::chrono::milliseconds(offset_ms_.load()); }
    void set_offset(std::chrono::milliseconds offset) { offset_ms_ = offset.count(); }

private:
    std::atomic<std::int64_t> offset_ms_{0};
};

// As Faktory writes timestamps (Go's RFC3339Nano, UTC): 2024-05-01T12:00:00.123456Z.
std::string format_rfc3339(TimePoint when);

// Strict RFC 3339 (date, 'T', time, optional fraction, 'Z' or +hh:mm); nullopt otherwise.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

} // namespace faktory_host::devserver
