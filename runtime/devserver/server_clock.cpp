// RFC 3339 formatting and strict parsing for job timestamps.
#include "devserver/server_clock.hpp"

#include <cstdio>
#include <ctime>
#include <regex>

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

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
    static const std::regex shape(
        R"(^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$)");
    std::cmatch m;
    if (!std::regex_match(text.data(), text.data() + text.size(), m, shape)) return std::nullopt;
    auto number = [&](int i) { return std::stoi(m[i].str()); };
    const int year = number(1), month = number(2), day = number(3);
    const int hour = number(4), minute = number(5), second = number(6);
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                          std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) return std::nullopt;
    TimePoint when = TimePoint(std::chrono::sys_days(ymd).time_since_epoch()) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                     std::chrono::seconds(second);
    if (m[7].matched) {
        std::string digits = m[7].str().substr(1);
        digits.resize(9, '0');
        when += std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(std::stoll(digits)));
    }
    const std::string zone = m[8].str();
    if (zone != "Z" && zone != "z") {
        const int sign = zone[0] == '-' ? -1 : 1;
        const int zone_hours = std::stoi(zone.substr(1, 2)), zone_minutes = std::stoi(zone.substr(4, 2));
        if (zone_hours > 23 || zone_minutes > 59) return std::nullopt;
        // A local time east of UTC is earlier in UTC.
        when -= sign * (std::chrono::hours(zone_hours) + std::chrono::minutes(zone_minutes));
    }
    return when;
}

} // namespace faktory_host::devserver
