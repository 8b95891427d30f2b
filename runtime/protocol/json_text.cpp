// JSON text helpers over Poco::JSON; see json_text.hpp.
#include "protocol/json_text.hpp"

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

std::string condense(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

std::string quoted(std::string_view text) { return Poco::toJSON(std::string(text), Poco::JSON_WRAP_STRINGS); }

} // namespace faktory_host::protocol::json
