// JSON text helpers over Poco::JSON; see json_text.hpp.
#include "protocol/json_text.hpp"

#include <algorithm>
#include <sstream>

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/JSONString.h>

namespace faktory_host::protocol::json {

Poco::Dynamic::Var parse(const std::string& text) {
    // One parser per thread: a job's payload is parsed once per job, and
    // building a parser (handler, state) each time showed in the profile.
    // Reset after each use, so it holds no reference to what it parsed.
    thread_local Poco::JSON::Parser parser;
    struct ResetAfter {
        Poco::JSON::Parser& parser;
        ~ResetAfter() { parser.reset(); }
    } reset_after{parser};
    return parser.parse(text);
}

Poco::Dynamic::Var parse(std::string_view text) { return parse(std::string(text)); }
Poco::Dynamic::Var parse(const char* text) { return parse(std::string(text)); }

Poco::JSON::Object::Ptr as_object(const Poco::Dynamic::Var& value) {
    if (value.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
    return value.extract<Poco::JSON::Object::Ptr>();
}

const Poco::Dynamic::Var* field(const Poco::JSON::Object& object, std::string_view key) {
    // A walk over the few fields of a job beats Object::get(), which copies the value (strings, arrays) out.
    for (const auto& [name, value] : object)
        if (name == key) return &value;
    return nullptr;
}

std::string condense(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

std::string quoted(std::string_view text) {
    // Ids (the common case: one per ACK) hold nothing JSON escapes; they are only wrapped in quotes.
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/';
    });
    if (plain) {
        std::string out;
        out.reserve(text.size() + 2);
        out += '"';
        out += text;
        out += '"';
        return out;
    }
    return Poco::toJSON(std::string(text), Poco::JSON_WRAP_STRINGS);
}

} // namespace faktory_host::protocol::json
