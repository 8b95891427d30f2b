// RFC 3339 formatting and strict parsing (through Poco's DateTimeParser) for job timestamps.
#include "devserver/server_clock.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>

namespace faktory_host::devserver {

std::string format_rfc3339(TimePoint when) {
    const auto since_epoch = when.time_since_epoch();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds).count();
    const std::time_t t = static_cast<std::time_t>(seconds.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string text = buffer;
    if (micros != 0) {
        // Go's RFC3339Nano drops trailing zeros of the fraction.
        std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(micros));
        std::string fraction = buffer;
        while (fraction.back() == '0') fraction.pop_back();
        text += fraction;
    }
    return text + "Z";
}

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The exact RFC 3339 shape. Poco's parser is lenient where Faktory is not (it
// takes one-digit fields, skips literal characters unchecked, accepts named
// zones and ignores trailing text), so the shape is checked here and Poco
// does the rest: numbers, calendar validity, the zone offset.
// YYYY-MM-DDTHH:MM:SS, then an optional fraction of 1 to 9 digits, then Z or
// +HH:MM / -HH:MM; seconds up to 59 and offsets below 24 h, as Go's parser wants.
bool has_rfc3339_shape(std::string_view text) {
    if (text.size() < 20) return false;
    const auto at = [&](std::size_t position, std::size_t length) { return text.substr(position, length); };
    if (!all_digits(at(0, 4)) || text[4] != '-' || !all_digits(at(5, 2)) || text[7] != '-' ||
        !all_digits(at(8, 2)) || (text[10] != 'T' && text[10] != 't') || !all_digits(at(11, 2)) ||
        text[13] != ':' || !all_digits(at(14, 2)) || text[16] != ':' || !all_digits(at(17, 2)))
        return false;
    if (at(17, 2) > "59") return false;  // no leap second
    // Poco reads a zero month or day as "not given" and makes it 1.
    if (at(5, 2) == "00" || at(8, 2) == "00") return false;
    std::size_t zone = 19;
    if (text[zone] == '.') {
        const auto fraction_end = text.find_first_not_of("0123456789", zone + 1);
        const std::size_t digits = (fraction_end == std::string_view::npos ? text.size() : fraction_end) - zone - 1;
        if (digits < 1 || digits > 9) return false;
        zone += 1 + digits;
    }
    const auto rest = text.substr(zone);
    if (rest == "Z" || rest == "z") return true;
    return rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && all_digits(rest.substr(1, 2)) && rest[3] == ':' &&
           all_digits(rest.substr(4, 2)) && rest.substr(1, 2) <= "23" && rest.substr(4, 2) <= "59";
}

} // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
    if (!has_rfc3339_shape(text)) return std::nullopt;
    std::string upper(text);  // Poco knows the designators in upper case only
    upper[10] = 'T';
    if (upper.back() == 'z') upper.back() = 'Z';
    Poco::DateTime parsed;
    int zone_seconds = 0;
    // %s takes the fraction to the microsecond and skips further digits.
    if (!Poco::DateTimeParser::tryParse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, upper, parsed, zone_seconds))
        return std::nullopt;
    parsed.makeUTC(zone_seconds);
    return TimePoint(std::chrono::microseconds(parsed.timestamp().epochMicroseconds()));
}

} // namespace faktory_host::devserver
