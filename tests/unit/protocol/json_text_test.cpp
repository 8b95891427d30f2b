// json_text: the one JSON parse / object check / condense / quote used by the
// client, the job model and the dev server.
#include <boost/test/unit_test.hpp>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>

#include "protocol/json_text.hpp"

namespace json = faktory_host::protocol::json;

BOOST_AUTO_TEST_CASE(parse_reads_any_json_value_and_as_object_picks_out_objects) {
    const auto object = json::as_object(json::parse(R"({"jid":"abc","args":[1,2]})"));
    BOOST_REQUIRE(object);
    BOOST_TEST(object->getValue<std::string>("jid") == "abc");
    BOOST_TEST(object->getArray("args")->size() == 2u);
    BOOST_TEST(!json::as_object(json::parse("[1,2]")));
    BOOST_TEST(!json::as_object(json::parse(R"([{"nested":"object"}])")));
    BOOST_TEST(!json::as_object(Poco::Dynamic::Var()));
}

BOOST_AUTO_TEST_CASE(parse_refuses_what_is_not_json_with_a_poco_exception) {
    BOOST_CHECK_THROW(json::parse("{\"jid\":"), Poco::Exception);
    BOOST_CHECK_THROW(json::parse("not json"), Poco::Exception);
}

BOOST_AUTO_TEST_CASE(condense_writes_compact_text_without_spaces_or_line_breaks) {
    const auto value = json::parse("{ \"b\" : [ 1 , 2.5 , null ],\n \"c\": {\"d\": \"x y\"} }");
    const auto text = json::condense(value);
    BOOST_TEST(text.find('\n') == std::string::npos);
    BOOST_TEST(text.find(": ") == std::string::npos);
    BOOST_TEST(text.find(", ") == std::string::npos);
    // Round trip: the condensed text parses back to the same value.
    BOOST_TEST(json::condense(json::parse(text)) == text);
    BOOST_TEST(text.find(R"("b":[1,2.5,null])") != std::string::npos);
    BOOST_TEST(text.find(R"("c":{"d":"x y"})") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(quoted_escapes_a_string_exactly_as_condense_writes_it) {
    for (const std::string text : {"plain", "0123456789abcdef", "a/b", "del\x7f", "quote \" and backslash \\", "line\nbreak\r\ttab", "caf\xC3\xA9", ""}) {
        Poco::JSON::Array array;
        array.add(text);
        BOOST_TEST("[" + json::quoted(text) + "]" == json::condense(array));
        const auto parsed = json::parse("[" + json::quoted(text) + "]").extract<Poco::JSON::Array::Ptr>();
        BOOST_TEST(parsed->getElement<std::string>(0) == text);
    }
    BOOST_TEST(json::quoted("a\nb").find('\n') == std::string::npos);  // safe on a command line
}

BOOST_AUTO_TEST_CASE(field_finds_a_value_in_place_or_says_it_is_absent) {
    const auto object = json::as_object(json::parse(R"({"jid":"j1","args":[1],"custom":{"k":"v"},"at":null})"));
    BOOST_REQUIRE(object);
    const auto* jid = json::field(*object, "jid");
    BOOST_REQUIRE(jid);
    BOOST_TEST(jid->extract<std::string>() == "j1");
    BOOST_TEST((json::field(*object, "args")->type() == typeid(Poco::JSON::Array::Ptr)));
    BOOST_TEST(json::as_object(*json::field(*object, "custom"))->getValue<std::string>("k") == "v");
    BOOST_REQUIRE(json::field(*object, "at"));
    BOOST_TEST(json::field(*object, "at")->isEmpty());  // present but null
    BOOST_TEST(!json::field(*object, "queue"));
    BOOST_TEST(!json::field(*object, "ji"));  // a prefix of a key is not the key
}

BOOST_AUTO_TEST_CASE(parse_after_a_failed_parse_on_the_same_thread_starts_clean) {
    // The parser is reused per thread: a failure must leave nothing behind for the next text.
    BOOST_CHECK_THROW(json::parse(R"({"a":[1,2,{"b":)"), Poco::Exception);
    const auto object = json::as_object(json::parse(R"({"c":3})"));
    BOOST_REQUIRE(object);
    BOOST_TEST(object->size() == 1u);
    BOOST_TEST(object->getValue<int>("c") == 3);
    // Values handed out earlier are unaffected by later parses.
    const auto first = json::as_object(json::parse(R"({"n":1})"));
    const auto second = json::as_object(json::parse(R"({"n":2})"));
    BOOST_TEST(first->getValue<int>("n") == 1);
    BOOST_TEST(second->getValue<int>("n") == 2);
}
