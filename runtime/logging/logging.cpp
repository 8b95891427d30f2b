// configure_logging / log_job / parse_log_level: the host's logging entry points.
#include "logging/logging.hpp"

#include <iostream>
#include <sstream>

#include <Poco/JSON/Object.h>
#include <stdexcept>

#include "logging/json_log_formatter.hpp"
#include "logging/log_levels.hpp"
#include "logging/log_line_channel.hpp"
#include "logging/text_log_formatter.hpp"

namespace faktory_host::logging {

namespace {

Poco::AutoPtr<Poco::Formatter> make_formatter(bool json) {
    if (json) return new JsonLogFormatter;
    return new TextLogFormatter;
}

} // namespace

Poco::Message::Priority parse_log_level(const std::string& level) {
    if (const auto priority = find_log_level(level)) return *priority;
    throw std::invalid_argument("unknown log level '" + level + "'; valid levels: " + log_level_names());
}

void configure_logging(const std::string& level, bool json, std::ostream* sink) {
    const auto priority = parse_log_level(level);
    std::ostream& out = sink != nullptr ? *sink : std::cerr;
    // One channel for the process lifetime; reconfiguring swaps its insides
    // under its lock instead of swapping channels under running loggers.
    static Poco::AutoPtr<LogLineChannel> channel = new LogLineChannel(make_formatter(json), out);
    channel->reset(make_formatter(json), out);
    // The empty name reaches every logger created so far, but only those:
    // the root must exist before it, since later loggers inherit from it.
    Poco::Logger::root();
    Poco::Logger::setChannel("", channel);
    Poco::Logger::setLevel("", priority);
}

void log_job(Poco::Logger& logger, Poco::Message::Priority priority, std::string_view jid,
             std::string_view jobtype, std::string_view text) {
    if (!logger.is(priority)) return;
    Poco::Message message(logger.name(), std::string(text), priority);
    message.set(jid_parameter, std::string(jid));
    message.set(jobtype_parameter, std::string(jobtype));
    logger.log(message);
}

void log_fields(Poco::Logger& logger, Poco::Message::Priority priority, std::string_view jid,
                std::string_view jobtype, std::string_view text,
                const std::vector<std::pair<std::string, std::string>>& fields) {
    if (!logger.is(priority)) return;
    Poco::Message message(logger.name(), std::string(text), priority);
    if (!jid.empty()) message.set(jid_parameter, std::string(jid));
    if (!jobtype.empty()) message.set(jobtype_parameter, std::string(jobtype));
    if (!fields.empty()) {
        Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
        std::string rendered;
        for (const auto& [key, value] : fields) {
            object.set(key, value);
            rendered += (rendered.empty() ? "" : " ") + key + "=" + value;
        }
        std::ostringstream json;
        object.stringify(json);
        message.set(fields_json_parameter, json.str());
        message.set(fields_text_parameter, rendered);
    }
    logger.log(message);
}

} // namespace faktory_host::logging
