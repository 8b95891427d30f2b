// yaml_to_compact_json: what a plugin receives for its YAML block.
#include <boost/test/unit_test.hpp>

#include <yaml-cpp/yaml.h>

#include "config/yaml_to_json.hpp"

using faktory_host::config::yaml_to_compact_json;

namespace {
std::string json_of(const std::string& yaml) { return yaml_to_compact_json(YAML::Load(yaml)); }
} // namespace

BOOST_AUTO_TEST_SUITE(yaml_to_json)

BOOST_AUTO_TEST_CASE(mappings_and_lists_become_compact_json_in_document_order) {
    BOOST_TEST(json_of("{b: 1, a: [x, y], c: {d: e}}") == R"({"b":1,"a":["x","y"],"c":{"d":"e"}})");
    BOOST_TEST(json_of("{}") == "{}");
    BOOST_TEST(json_of("[]") == "[]");
}

BOOST_AUTO_TEST_CASE(plain_scalars_get_core_schema_types) {
    BOOST_TEST(json_of("{t: true, f: False, n: null, tilde: ~, empty: , i: -12, x: 1.5e3}") ==
               R"({"t":true,"f":false,"n":null,"tilde":null,"empty":null,"i":-12,"x":1.5e3})");
}

BOOST_AUTO_TEST_CASE(quoted_scalars_and_non_json_numbers_stay_strings) {
    BOOST_TEST(json_of(R"({q: "42", b: 'true', hex: 0x1F, lead: 007, yes: yes, inf: .inf})") ==
               R"({"q":"42","b":"true","hex":"0x1F","lead":"007","yes":"yes","inf":".inf"})");
}

BOOST_AUTO_TEST_CASE(only_text_that_is_a_json_number_becomes_a_number) {
    for (const std::string number : {"0", "-0", "7", "-12", "1.5", "1e5", "1E+5", "2.5e-3"})
        BOOST_TEST(json_of("[" + number + "]") == "[" + number + "]");
    for (const std::string text : {"1.", ".5", "1e", "01", "-", "+1", "1_000", "1.5.2"})
        BOOST_TEST(json_of("[" + text + "]") == "[\"" + text + "\"]");
}

BOOST_AUTO_TEST_CASE(strings_are_escaped_for_json) {
    const auto json = json_of("{s: \"say \\\"hi\\\"\\n\\tback\\\\slash\"}");
    BOOST_TEST(json == R"({"s":"say \"hi\"\n\tback\\slash"})");
}

BOOST_AUTO_TEST_CASE(non_scalar_keys_cannot_become_json) {
    BOOST_CHECK_THROW(json_of("{[a, b]: 1}"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
