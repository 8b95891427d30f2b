// The one channel every logger writes to: formats a message into a line and
// writes it to the sink under one lock, so concurrent threads never interleave
// and the format or sink can be swapped while others are logging.
#pragma once
#include <mutex>
#include <ostream>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Formatter.h>

namespace faktory_host::logging {

class LogLineChannel : public Poco::Channel {
public:
    LogLineChannel(Poco::AutoPtr<Poco::Formatter> formatter, std::ostream& sink);

    void reset(Poco::AutoPtr<Poco::Formatter> formatter, std::ostream& sink);
    // Formats in the calling thread (the formatter reads its thread name).
    void log(const Poco::Message& message) override;

private:
    std::mutex mutex_;
    Poco::AutoPtr<Poco::Formatter> formatter_;
    std::ostream* sink_;
};

} // namespace faktory_host::logging
