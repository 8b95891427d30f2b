// Bounded reading of a request head: poll with what is left of the deadline,
// read what arrived, stop at the blank line or at a limit.
#include "metrics/request_head_reader.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>

namespace faktory_host::metrics {

RequestHead read_request_head(Poco::Net::StreamSocket& socket, const HeadLimits& limits) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + limits.deadline;
    RequestHead head;
    char buffer[1024];
    while (true) {
        const auto first_break = head.text.find('\n');
        if ((first_break == std::string::npos ? head.text.size() : first_break) > limits.max_request_line) {
            head.outcome = RequestHead::Outcome::line_too_long;
            return head;
        }
        if (const auto end = head.text.find("\r\n\r\n"); end != std::string::npos) {
            head.text.resize(end + 4);
            head.outcome = RequestHead::Outcome::complete;
            return head;
        }
        if (head.text.size() > limits.max_head) {
            head.outcome = RequestHead::Outcome::head_too_large;
            return head;
        }
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
        if (left.count() <= 0 || !socket.poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ)) {
            head.outcome = RequestHead::Outcome::timed_out;
            return head;
        }
        int received = 0;
        try {
            received = socket.receiveBytes(buffer, sizeof buffer);
        } catch (const Poco::Exception&) {
            received = 0;
        }
        if (received <= 0) {
            head.outcome = RequestHead::Outcome::closed;
            return head;
        }
        head.text.append(buffer, static_cast<std::size_t>(received));
    }
}

} // namespace faktory_host::metrics
