// The metrics and health listener: GET /metrics (Prometheus text 0.0.4) and
// GET /healthz (JSON; 200 or 503), 404 for any other path, 405 for other
// methods. Built on Poco::Net::TCPServer with one handler thread (plus
// Poco's acceptor: two threads in all) and Poco's HTTPRequest/HTTPResponse
// for parsing and writing. Each request head must arrive whole within the
// head deadline and size bounds, or the connection is answered (408, 414,
// 431) and closed; one request per connection.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "metrics/request_head_reader.hpp"

namespace faktory_host::metrics {

struct MetricsServerOptions {
    std::string listen = "127.0.0.1:9419";  // host:port; port 0 picks a free one
    std::chrono::milliseconds health_grace{std::chrono::seconds(30)};
    HeadLimits limits;
};

class MetricsServer {
public:
    explicit MetricsServer(MetricsServerOptions options);  // binds and starts; throws when it cannot bind
    ~MetricsServer();                                      // stops
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    std::uint16_t port() const;
    std::string address() const;  // host:port as bound

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:9419", "[::1]:9419", ":9419" and "9419" (loopback) -> host and port.
// Throws std::invalid_argument naming what is wrong.
std::pair<std::string, std::uint16_t> parse_listen_address(const std::string& text);

} // namespace faktory_host::metrics
