// The text log line: time, padded level, [thread], logger, job fields, message.
#include "logging/text_log_formatter.hpp"

#include <algorithm>

#include "logging/log_escape.hpp"
#include "logging/log_fields.hpp"
#include "logging/logging.hpp"

namespace faktory_host::logging {

namespace {

void append_escaped(std::string& out, const std::string& text) {
    escape_for_log(text, LogEscape::text, [&out](char c) { out += c; });
}

} // namespace

void TextLogFormatter::format(const Poco::Message& message, std::string& text) {
    text += log_time(message);
    text += ' ';
    std::string level = short_level_name(message.getPriority());
    level.resize(std::max<std::size_t>(level.size(), 5), ' ');  // columns line up for the common levels
    text += level;
    text += " [";
    append_escaped(text, log_thread_name(message));
    text += "] ";
    if (!message.getSource().empty()) {
        append_escaped(text, message.getSource());
        text += ": ";
    }
    for (const char* parameter : {jid_parameter, jobtype_parameter}) {
        if (!message.has(parameter)) continue;
        text += parameter;
        text += '=';
        append_escaped(text, message.get(parameter));
        text += ' ';
    }
    if (message.has(fields_text_parameter)) {  // plugin fields (SDK 1.1), already "key=value ..."
        append_escaped(text, message.get(fields_text_parameter));
        text += ' ';
    }
    append_escaped(text, message.getText());
}

} // namespace faktory_host::logging
