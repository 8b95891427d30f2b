// Reads an HTTP request head (request line + headers, up to the blank line)
// from a socket under one total deadline and a size bound. Poco's HTTPServer
// only bounds each read, so a client trickling a byte at a time could hold
// the listener's only thread for as long as it likes; this cannot.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

#include <Poco/Net/StreamSocket.h>

namespace faktory_host::metrics {

struct HeadLimits {
    std::size_t max_request_line = 4096;  // bytes before the first line break
    std::size_t max_head = 16384;         // the whole head
    std::chrono::milliseconds deadline{std::chrono::seconds(5)};  // for the whole head
};

struct RequestHead {
    enum class Outcome { complete, timed_out, line_too_long, head_too_large, closed };
    Outcome outcome = Outcome::closed;
    std::string text;  // the head including its blank line, when complete
};

RequestHead read_request_head(Poco::Net::StreamSocket& socket, const HeadLimits& limits);

} // namespace faktory_host::metrics
