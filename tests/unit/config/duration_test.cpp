// parse_duration: every unit, and the errors a user sees for what is not a duration.
#include <boost/test/unit_test.hpp>

#include "config/config.hpp"

using faktory_host::config::Duration;
using faktory_host::config::parse_duration;
using namespace std::chrono_literals;

namespace {

std::string error_of(const std::string& text) {
    try {
        parse_duration(text);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    BOOST_FAIL("expected std::invalid_argument for '" + text + "'");
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(duration)

BOOST_AUTO_TEST_CASE(milliseconds_seconds_minutes_and_hours_are_understood) {
    BOOST_TEST(parse_duration("500ms").count() == 500);
    BOOST_TEST(parse_duration("25s") == Duration(25s));
    BOOST_TEST(parse_duration("2m") == Duration(2min));
    BOOST_TEST(parse_duration("1h") == Duration(1h));
    BOOST_TEST(parse_duration("0s").count() == 0);
}

BOOST_AUTO_TEST_CASE(a_bare_number_is_an_error_that_says_to_add_a_unit) {
    const auto message = error_of("15");
    BOOST_TEST(message.find("no unit") != std::string::npos, message);
    BOOST_TEST(message.find("15s") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(unknown_units_and_malformed_text_are_errors) {
    BOOST_TEST(error_of("5d").find("unknown unit 'd'") != std::string::npos);
    BOOST_TEST(error_of("s").find("invalid duration") != std::string::npos);
    BOOST_TEST(error_of("-5s").find("invalid duration") != std::string::npos);
    BOOST_TEST(error_of("1.5s").find("unknown unit '.5s'") != std::string::npos);
    BOOST_TEST(error_of("5 s").find("unknown unit") != std::string::npos);
    BOOST_TEST(error_of("").find("empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_duration_that_overflows_is_an_error_not_a_wraparound) {
    BOOST_TEST(error_of("99999999999999999h").find("too large") != std::string::npos);
    BOOST_TEST(error_of("999999999999999999999999ms").find("too large") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_duration_writes_the_largest_exact_unit) {
    using faktory_host::config::format_duration;
    BOOST_TEST(format_duration(24h) == "24h");
    BOOST_TEST(format_duration(90s) == "90s");
    BOOST_TEST(format_duration(2min) == "2m");
    BOOST_TEST(format_duration(1500ms) == "1500ms");
    BOOST_TEST(format_duration(Duration::zero()) == "0s");
    for (const Duration d : {Duration(1), Duration(999), Duration(60'000), Duration(86'400'000)})
        BOOST_TEST((parse_duration(format_duration(d)) == d));
}

BOOST_AUTO_TEST_SUITE_END()
