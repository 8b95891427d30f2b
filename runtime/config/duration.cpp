// parse_duration / format_duration: the one place that turns "500ms" / "25s" /
// "2m" / "1h" into a Duration and back.
#include "config/config.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace faktory_host::config {

namespace {

constexpr std::string_view units_help = "units: ms, s, m, h; e.g. 500ms, 25s, 2m, 1h";

struct Unit {
    std::string_view suffix;
    std::int64_t millis;
};
// "ms" before "m" and "s": the longest suffix must win.
constexpr Unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};

} // namespace

Duration parse_duration(const std::string& text) {
    if (text.empty()) throw std::invalid_argument("empty duration (" + std::string(units_help) + ")");

    const auto digits_end = text.find_first_not_of("0123456789");
    const std::string_view number(text.data(), digits_end == std::string::npos ? text.size() : digits_end);
    const std::string_view suffix = std::string_view(text).substr(number.size());
    if (number.empty())
        throw std::invalid_argument("invalid duration '" + text + "' (" + std::string(units_help) + ")");
    if (suffix.empty())
        throw std::invalid_argument("duration '" + text + "' has no unit; add one, e.g. '" + text + "s' (" +
                                    std::string(units_help) + ")");

    for (const auto& unit : units) {
        if (suffix != unit.suffix) continue;
        // from_chars reports out-of-range instead of wrapping, and the division
        // keeps the multiplication below from overflowing: no digit string overflows.
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
        if (ec != std::errc{} || end != number.data() + number.size() ||
            value > std::numeric_limits<Duration::rep>::max() / unit.millis)
            throw std::invalid_argument("duration '" + text + "' is too large");
        return Duration(value * unit.millis);
    }
    throw std::invalid_argument("invalid duration '" + text + "': unknown unit '" + std::string(suffix) + "' (" +
                                std::string(units_help) + ")");
}

std::string format_duration(Duration duration) {
    // Largest unit first, so 1h is not written 3600000ms.
    for (auto unit = std::rbegin(units); unit != std::rend(units); ++unit)
        if (duration.count() % unit->millis == 0 && (duration.count() != 0 || unit->millis == 1000))
            return std::to_string(duration.count() / unit->millis) + std::string(unit->suffix);
    return std::to_string(duration.count()) + "ms";
}

} // namespace faktory_host::config
