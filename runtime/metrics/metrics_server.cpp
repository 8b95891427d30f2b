// Routing and replies of the metrics listener, and its bounded threads.
#include "metrics/metrics_server.hpp"

#include <charconv>
#include <sstream>
#include <stdexcept>

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "metrics/exposition.hpp"
#include "metrics/health.hpp"

namespace faktory_host::metrics {

namespace {

using Poco::Net::HTTPResponse;

struct Reply {
    HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

Reply text_reply(HTTPResponse::HTTPStatus status, const std::string& text) {
    return Reply{status, "text/plain; charset=utf-8", text + "\n"};
}

Reply route(const Poco::Net::HTTPRequest& request, std::chrono::milliseconds grace) {
    std::string path;
    try {
        path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
        return text_reply(HTTPResponse::HTTP_BAD_REQUEST, "bad request target");
    }
    if (path != "/metrics" && path != "/healthz")
        return text_reply(HTTPResponse::HTTP_NOT_FOUND, "not found; try GET /metrics or GET /healthz");
    if (request.getMethod() != "GET" && request.getMethod() != "HEAD")
        return text_reply(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "use GET " + path);
    if (path == "/metrics") return Reply{HTTPResponse::HTTP_OK, exposition_content_type, render_metrics(collect_metrics())};
    const auto verdict = judge_health(current_engine_view(), snapshot_host_counts(), std::chrono::steady_clock::now(), grace);
    return Reply{verdict.healthy ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "application/json",
                 verdict.body + "\n"};
}

void send_reply(Poco::Net::StreamSocket& socket, const Reply& reply, bool head_only) {
    HTTPResponse response(Poco::Net::HTTPMessage::HTTP_1_1, reply.status);
    response.setContentType(reply.content_type);
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    response.setKeepAlive(false);
    std::ostringstream out;
    response.write(out);
    if (!head_only) out << reply.body;
    const auto bytes = out.str();
    socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));  // blocking: sends all or throws on timeout
}

class MetricsConnection : public Poco::Net::TCPServerConnection {
public:
    MetricsConnection(const Poco::Net::StreamSocket& socket, const MetricsServerOptions& options)
        : TCPServerConnection(socket), options_(options) {}

    void run() override {
        auto& s = socket();
        try {
            s.setSendTimeout(Poco::Timespan(options_.limits.deadline.count() * 1000));
            const auto head = read_request_head(s, options_.limits);
            using Outcome = RequestHead::Outcome;
            switch (head.outcome) {
            case Outcome::closed: return;
            case Outcome::timed_out:
                return send_reply(s, text_reply(HTTPResponse::HTTP_REQUEST_TIMEOUT, "request head too slow"), false);
            case Outcome::line_too_long:
                return send_reply(s, text_reply(HTTPResponse::HTTP_REQUEST_URI_TOO_LONG, "request line too long"), false);
            case Outcome::head_too_large:
                return send_reply(s, text_reply(HTTPResponse::HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
                                                "request head too large"), false);
            case Outcome::complete: break;
            }
            Poco::Net::HTTPRequest request;
            try {
                std::istringstream in(head.text);
                request.read(in);
            } catch (const Poco::Exception&) {
                return send_reply(s, text_reply(HTTPResponse::HTTP_BAD_REQUEST, "malformed request"), false);
            }
            send_reply(s, route(request, options_.health_grace), request.getMethod() == "HEAD");
        } catch (const Poco::Exception&) {
            // The client went away or stalled while reading the reply: nothing to tell it.
        } catch (const std::exception&) {
        }
    }

private:
    const MetricsServerOptions& options_;
};

class MetricsConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    explicit MetricsConnectionFactory(const MetricsServerOptions& options) : options_(options) {}
    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
        return new MetricsConnection(socket, options_);
    }

private:
    const MetricsServerOptions& options_;
};

} // namespace

std::pair<std::string, std::uint16_t> parse_listen_address(const std::string& text) {
    std::string host = "127.0.0.1";
    std::string port_text = text;
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        if (host.empty()) host = "127.0.0.1";
    }
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || value > 65535)
        throw std::invalid_argument("expected host:port (e.g. 127.0.0.1:9419) with a port from 0 to 65535, got '" +
                                    text + "'");
    return {host, static_cast<std::uint16_t>(value)};
}

struct MetricsServer::Impl {
    MetricsServerOptions options;
    Poco::Net::ServerSocket socket;
    Poco::ThreadPool threads{1, 1};  // one request at a time: a scrape is cheap
    std::unique_ptr<Poco::Net::TCPServer> server;

    explicit Impl(MetricsServerOptions o) : options(std::move(o)) {
        const auto [host, port] = parse_listen_address(options.listen);
        // SO_REUSEADDR for quick restarts, but not SO_REUSEPORT: a second host on the port must fail, not share it.
        socket.bind(Poco::Net::SocketAddress(host, port), true, false);
        socket.listen(16);
        auto params = new Poco::Net::TCPServerParams;
        params->setMaxThreads(1);
        params->setMaxQueued(16);
        server = std::make_unique<Poco::Net::TCPServer>(new MetricsConnectionFactory(options), threads, socket, params);
        server->start();
    }
    ~Impl() {
        server->stop();
        threads.joinAll();
    }
};

MetricsServer::MetricsServer(MetricsServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
MetricsServer::~MetricsServer() = default;

std::uint16_t MetricsServer::port() const { return impl_->socket.address().port(); }
std::string MetricsServer::address() const { return impl_->socket.address().toString(); }

} // namespace faktory_host::metrics
