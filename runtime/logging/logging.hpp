// Logging setup for the host: Poco's loggers write one line per message, as
// text or JSON lines, and job-scoped messages carry jid and jobtype.
#pragma once
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Poco/Logger.h>
#include <Poco/Message.h>

namespace faktory_host::logging {

// Message parameters (Poco::Message::set) that both formatters render.
inline constexpr const char* jid_parameter = "jid";
inline constexpr const char* jobtype_parameter = "jobtype";
// Structured fields a plugin logged (SDK 1.1): a JSON object of strings for JSON
// lines, and the same rendered as "key=value ..." for text lines.
inline constexpr const char* fields_json_parameter = "fields";
inline constexpr const char* fields_text_parameter = "fields_text";

// Poco priority names: trace, debug, information, notice, warning, error,
// critical, fatal. Throws std::invalid_argument naming the valid ones.
Poco::Message::Priority parse_log_level(const std::string& level);

// Points every logger (existing and future) at one line-writing channel with
// the given level and format. `sink` defaults to stderr; a caller-provided
// stream must outlive logging (or the next configure_logging call). Lines
// from concurrent threads never interleave. Safe to call again (e.g. on
// reload): the sink and format are swapped under the channel's lock. Throws
// std::invalid_argument for a bad level and then changes nothing.
void configure_logging(const std::string& level, bool json, std::ostream* sink = nullptr);

// Logs `text` with jid and jobtype attached as message parameters, so text
// lines show "jid=... jobtype=..." and JSON lines get "jid" and "jobtype" fields.
void log_job(Poco::Logger& logger, Poco::Message::Priority priority, std::string_view jid,
             std::string_view jobtype, std::string_view text);

// log_job with key/value fields next to the text (text lines: "key=value",
// JSON lines: a "fields" object). An empty jid/jobtype is left out.
void log_fields(Poco::Logger& logger, Poco::Message::Priority priority, std::string_view jid,
                std::string_view jobtype, std::string_view text,
                const std::vector<std::pair<std::string, std::string>>& fields);

} // namespace faktory_host::logging
