// RFC 3339 as the dev server reads `at` and writes every timestamp: fractions
// down to the microsecond, time zones, and the refusals Faktory makes.
#include <boost/test/unit_test.hpp>

#include "devserver/server_clock.hpp"

using namespace faktory_host::devserver;

namespace {

// Microseconds since the epoch of a parsed text; -1 when refused.
std::int64_t micros(std::string_view text) {
    const auto when = parse_rfc3339(text);
    return when ? when->time_since_epoch().count() : -1;
}

constexpr std::int64_t noon_may_1_2024 = 1714564800LL * 1000000;  // 2024-05-01T12:00:00Z

} // namespace

BOOST_AUTO_TEST_SUITE(devserver_server_clock)

BOOST_AUTO_TEST_CASE(utc_times_parse_to_the_microsecond_and_longer_fractions_are_cut) {
    BOOST_TEST(micros("2024-05-01T12:00:00Z") == noon_may_1_2024);
    BOOST_TEST(micros("2024-05-01T12:00:00.5Z") == noon_may_1_2024 + 500000);
    BOOST_TEST(micros("2024-05-01T12:00:00.123456Z") == noon_may_1_2024 + 123456);
    BOOST_TEST(micros("2024-05-01T12:00:00.123456789Z") == noon_may_1_2024 + 123456);
    BOOST_TEST(micros("2024-05-01T12:00:00.000001Z") == noon_may_1_2024 + 1);
    BOOST_TEST(micros("2024-05-01t12:00:00z") == noon_may_1_2024);  // RFC 3339 allows lower case
}

BOOST_AUTO_TEST_CASE(offsets_are_turned_into_utc) {
    BOOST_TEST(micros("2024-05-01T14:30:00+02:30") == noon_may_1_2024);
    BOOST_TEST(micros("2024-05-01T09:00:00-03:00") == noon_may_1_2024);
    BOOST_TEST(micros("2024-05-01T12:00:00.25+00:00") == noon_may_1_2024 + 250000);
    BOOST_TEST(micros("2024-05-02T01:00:00.000002+13:00") == noon_may_1_2024 + 2);
    BOOST_TEST(micros("2000-01-01T00:00:00+02:00") == 946677600LL * 1000000);  // the day before, in UTC
}

BOOST_AUTO_TEST_CASE(far_future_and_leap_days_parse) {
    BOOST_TEST(micros("2999-01-01T00:00:00Z") == 32472144000LL * 1000000);
    BOOST_TEST(micros("2024-02-29T00:00:00Z") == 1709164800LL * 1000000);
}

BOOST_AUTO_TEST_CASE(anything_but_a_full_rfc_3339_time_is_refused) {
    for (const char* text : {"", "tomorrow", "2024-05-01", "2024-05-01T12:00:00", "2024-05-01 12:00:00Z",
                             "2024-5-01T12:00:00Z", "2024-05-01T12:00Z", "2024-05-01T12:00:00.Z",
                             "2024-05-01T12:00:00.1234567890Z", "2024-05-01T12:00:00ZZ", "2024-05-01T12:00:00Z ",
                             " 2024-05-01T12:00:00Z", "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00+02",
                             "2024-05-01T12:00:00 UTC", "2024-05-01T12:00:00GMT", "+2024-05-01T12:00:00Z"})
        BOOST_TEST(micros(text) == -1, "accepted: \"" << text << "\"");
}

BOOST_AUTO_TEST_CASE(out_of_range_fields_are_refused) {
    for (const char* text : {"2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-02-30T00:00:00Z",
                             "2023-02-29T00:00:00Z", "2024-05-00T00:00:00Z", "2024-05-01T24:00:00Z",
                             "2024-05-01T12:60:00Z", "2024-05-01T12:00:60Z", "2024-05-01T12:00:00+24:00",
                             "2024-05-01T12:00:00+02:60"})
        BOOST_TEST(micros(text) == -1, "accepted: \"" << text << "\"");
}

BOOST_AUTO_TEST_CASE(formatting_writes_utc_with_the_fraction_trimmed_and_round_trips) {
    const TimePoint noon{std::chrono::microseconds(noon_may_1_2024)};
    BOOST_TEST(format_rfc3339(noon) == "2024-05-01T12:00:00Z");
    BOOST_TEST(format_rfc3339(noon + std::chrono::microseconds(120000)) == "2024-05-01T12:00:00.12Z");
    BOOST_TEST(format_rfc3339(noon + std::chrono::microseconds(1)) == "2024-05-01T12:00:00.000001Z");
    for (const auto offset : {0LL, 1LL, 999999LL, 123456LL})
        BOOST_TEST(micros(format_rfc3339(noon + std::chrono::microseconds(offset))) == noon_may_1_2024 + offset);
}

BOOST_AUTO_TEST_SUITE_END()
