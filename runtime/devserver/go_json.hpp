// JSON rendered the way Faktory's Go server renders it (encoding/json): object
// keys sorted, numbers through float64, <, > and & escaped. The dev server
// re-serializes jobs with this so clients see what the real server would send.
#pragma once
#include <string>
#include <string_view>

#include <Poco/Dynamic/Var.h>

namespace faktory_host::devserver {

void append_go_json(std::string& out, const Poco::Dynamic::Var& value);
void append_go_json_string(std::string& out, std::string_view text);
std::string to_go_json(const Poco::Dynamic::Var& value);

} // namespace faktory_host::devserver
