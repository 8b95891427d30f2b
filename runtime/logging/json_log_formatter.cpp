// The JSON log line, built as a Poco::JSON::Object in a fixed field order.
#include "logging/json_log_formatter.hpp"

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "logging/log_fields.hpp"
#include "logging/logging.hpp"

namespace faktory_host::logging {

void JsonLogFormatter::format(const Poco::Message& message, std::string& text) {
    Poco::JSON::Object line(Poco::JSON_PRESERVE_KEY_ORDER);
    line.set("time", log_time(message));
    line.set("level", std::string(level_name(message.getPriority())));
    line.set("logger", message.getSource());
    line.set("thread", log_thread_name(message));
    line.set("message", message.getText());
    for (const char* parameter : {jid_parameter, jobtype_parameter})
        if (message.has(parameter)) line.set(parameter, message.get(parameter));
    if (message.has(fields_json_parameter)) {  // plugin fields (SDK 1.1): a JSON object made by log_fields
        try {
            Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
            line.set("fields", parser.parse(message.get(fields_json_parameter)));
        } catch (const std::exception&) {
            line.set("fields", message.get(fields_json_parameter));
        }
    }
    std::ostringstream out;
    line.stringify(out);
    text += out.str();
}

} // namespace faktory_host::logging
