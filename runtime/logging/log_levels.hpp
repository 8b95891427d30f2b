// The log levels, in one table: the names the config file and --log-level take
// (Poco's priority names), the short names text lines show, and Poco's priorities.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <Poco/Message.h>

namespace faktory_host::logging {

// "information" -> PRIO_INFORMATION; nullopt for a name that is not a level.
std::optional<Poco::Message::Priority> find_log_level(std::string_view name);
// "trace, debug, information, notice, warning, error, critical, fatal", for messages.
std::string log_level_names();
// "information", "warning", ... (as configured) for JSON lines.
const char* level_name(Poco::Message::Priority priority);
// "INFO", "WARN", ... for text lines.
const char* short_level_name(Poco::Message::Priority priority);

} // namespace faktory_host::logging
