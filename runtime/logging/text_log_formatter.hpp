// One human-readable line per message:
//   2026-11-28T14:00:00.123Z INFO  [processor-3] worker: jid=... jobtype=... message
#pragma once
#include <Poco/Formatter.h>

namespace faktory_host::logging {

class TextLogFormatter : public Poco::Formatter {
public:
    // Line breaks and other control characters are escaped (\n, \r, \xNN), so
    // one message is always one line for journald and grep.
    void format(const Poco::Message& message, std::string& text) override;
};

} // namespace faktory_host::logging
