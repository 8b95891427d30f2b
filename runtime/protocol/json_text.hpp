// JSON text to Poco values and back: the one place the client, the job model
// and the dev server parse JSON, ask "is it an object?", and condense values
// to compact text. Callers keep their own error wording (a protocol error for
// the client, Faktory's Go messages for the dev server); the parse error text
// itself comes from here, the same everywhere.
#pragma once
#include <string>
#include <string_view>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

namespace faktory_host::protocol::json {

// Parses `text` as one JSON value. Throws Poco::Exception (a JSON syntax
// error; displayText() says where) when it is not JSON.
Poco::Dynamic::Var parse(const std::string& text);
Poco::Dynamic::Var parse(std::string_view text);
Poco::Dynamic::Var parse(const char* text);

// The object `value` holds, or null when it holds anything else.
Poco::JSON::Object::Ptr as_object(const Poco::Dynamic::Var& value);

// The value of `key` in `object`, or null when absent; a reference into the
// object (no copy of the value), valid while the object is unchanged.
const Poco::Dynamic::Var* field(const Poco::JSON::Object& object, std::string_view key);

// Compact JSON text of `value` (no spaces, no line breaks): what goes on a command line.
std::string condense(const Poco::Dynamic::Var& value);

// `text` as a JSON string literal, quotes included, escaped as JSON requires.
std::string quoted(std::string_view text);

} // namespace faktory_host::protocol::json
