// One JSON object per line, for log shippers:
//   {"time":"...","level":"information","logger":"worker","thread":"processor-3","message":"...",
//    "jid":"...","jobtype":"..."}
#pragma once
#include <Poco/Formatter.h>

namespace faktory_host::logging {

class JsonLogFormatter : public Poco::Formatter {
public:
    // Escaping is Poco::JSON's, so quotes, backslashes and line breaks in any
    // field still give one valid JSON object on one line.
    void format(const Poco::Message& message, std::string& text) override;
};

} // namespace faktory_host::logging
