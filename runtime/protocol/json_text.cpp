// JSON text helpers over Poco::JSON; see json_text.hpp.
#include "protocol/json_text.hpp"

#include <algorithm>
#include <sstream>

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/JSONString.h>

namespace faktory_host::protocol::json {

Poco::Dynamic::Var parse(std::string_view text) {
    Poco::JSON::Parser parser;
    return parser.parse(std::string(text));
}

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
