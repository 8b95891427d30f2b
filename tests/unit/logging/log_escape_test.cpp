// escape_for_log: the one set of rules by which text log lines, and the crash
// handler's text and JSON lines, make untrusted text safe for a single line.
#include <boost/test/unit_test.hpp>

#include <string>

#include <Poco/JSON/Parser.h>

#include "logging/log_escape.hpp"

using faktory_host::logging::escape_for_log;
using faktory_host::logging::LogEscape;

namespace {

std::string escaped(std::string_view text, LogEscape mode) {
    std::string out;
    escape_for_log(text, mode, [&out](char c) { out += c; });
    return out;
}

const std::string forged = "jid-1\n2026-11-29T00:00:00Z ERROR forged\r\x01\x1f\t\"q\" back\\slash caf\xc3\xa9";

} // namespace

BOOST_AUTO_TEST_CASE(text_mode_names_line_breaks_hex_escapes_other_controls_and_keeps_tabs_quotes_and_utf8) {
    BOOST_TEST(escaped(forged, LogEscape::text) ==
               "jid-1\\n2026-11-29T00:00:00Z ERROR forged\\r\\x01\\x1f\t\"q\" back\\slash caf\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(json_mode_output_is_a_valid_json_string_that_reads_back_as_the_input) {
    const auto inside = escaped(forged, LogEscape::json);
    BOOST_TEST(inside.find('\n') == std::string::npos);
    BOOST_TEST(inside.find('\t') == std::string::npos);
    const auto parsed = Poco::JSON::Parser().parse("[\"" + inside + "\"]");
    BOOST_TEST(parsed.extract<Poco::JSON::Array::Ptr>()->getElement<std::string>(0) == forged);
}

BOOST_AUTO_TEST_CASE(plain_text_passes_unchanged_in_both_modes) {
    for (const auto mode : {LogEscape::text, LogEscape::json}) {
        BOOST_TEST(escaped("Succeed 7f3a-b", mode) == "Succeed 7f3a-b");
    }
}
