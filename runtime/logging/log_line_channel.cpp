// LogLineChannel: format + write one line per message under a single lock.
#include "logging/log_line_channel.hpp"

#include <Poco/Message.h>

namespace faktory_host::logging {

LogLineChannel::LogLineChannel(Poco::AutoPtr<Poco::Formatter> formatter, std::ostream& sink)
    : formatter_(std::move(formatter)), sink_(&sink) {}

void LogLineChannel::reset(Poco::AutoPtr<Poco::Formatter> formatter, std::ostream& sink) {
    std::lock_guard lock(mutex_);
    formatter_ = std::move(formatter);
    sink_ = &sink;
}

void LogLineChannel::log(const Poco::Message& message) {
    std::lock_guard lock(mutex_);
    std::string line;
    formatter_->format(message, line);
    line += '\n';
    // Flushed per line: a crash must not swallow the last messages before it.
    sink_->write(line.data(), static_cast<std::streamsize>(line.size()));
    sink_->flush();
}

} // namespace faktory_host::logging
