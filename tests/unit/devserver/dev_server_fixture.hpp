// Shared helpers for the dev server tests: a started server on free ports,
// real clients against it, and a raw line-oriented socket for what the client
// cannot express.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include "devserver/dev_server.hpp"
#include "protocol/client.hpp"
#include "protocol/job.hpp"

namespace faktory_host::devserver::test {

inline DevServerOptions ephemeral_options() {
    DevServerOptions options;
    options.bind = "127.0.0.1:0";
    options.control = "127.0.0.1:0";
    return options;
}

struct StartedServer {
    explicit StartedServer(DevServerOptions options = ephemeral_options()) : server(std::move(options)) {
        server.start();
    }
    DevServer server;

    protocol::ClientOptions client_options(std::optional<std::string> wid = std::nullopt,
                                           const std::string& password = "") const {
        protocol::ClientOptions options;
        options.url = protocol::ServerUrl::parse(server.url());
        options.url.password = password;
        options.read_timeout = std::chrono::milliseconds(8000);
        if (wid) options.worker = protocol::WorkerIdentity{"test-host", *wid, 4242, {"unit", "devserver"}};
        return options;
    }
    std::unique_ptr<protocol::Client> client(std::optional<std::string> wid = std::nullopt,
                                             const std::string& password = "") const {
        auto c = std::make_unique<protocol::Client>(client_options(std::move(wid), password));
        c->connect();
        return c;
    }
};

inline protocol::Job job(const std::string& jobtype, const std::string& queue = "default") {
    protocol::Job j(jobtype);
    j.set_queue(queue);
    return j;
}

inline Poco::JSON::Object::Ptr parse_object(const std::string& json) {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

struct HttpReply {
    int status = 0;
    std::string body;
};

// One request to the server's HTTP control port.
inline HttpReply http(const StartedServer& s, const std::string& method, const std::string& path) {
    Poco::Net::HTTPClientSession session("127.0.0.1", s.server.control_port());
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentLength(0);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    HttpReply reply;
    reply.status = static_cast<int>(response.getStatus());
    std::ostringstream out;
    Poco::StreamCopier::copyStream(body, out);
    reply.body = out.str();
    return reply;
}

// A plain socket speaking raw lines: for greetings, LF-only commands, garbage.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::milliseconds(8000))
        : socket_(Poco::Net::SocketAddress("127.0.0.1", port)) {
        socket_.setReceiveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout.count()) * 1000));
    }
    void send(const std::string& bytes) { socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size())); }

    // One line including its CRLF; empty string at end of stream.
    std::string read_line() {
        while (true) {
            const auto end = buffer_.find('\n');
            if (end != std::string::npos) {
                std::string line = buffer_.substr(0, end + 1);
                buffer_.erase(0, end + 1);
                return line;
            }
            char chunk[4096];
            const int n = socket_.receiveBytes(chunk, sizeof chunk);
            if (n <= 0) {
                std::string rest;
                rest.swap(buffer_);
                return rest;
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    // A full reply: a line, plus the payload line of a bulk string.
    std::string read_reply() {
        std::string line = read_line();
        if (line.size() > 1 && line[0] == '$' && line != "$-1\r\n") line += read_line();
        return line;
    }
    // True when the server closed the connection (EOF) before sending anything more.
    bool closed_by_server() {
        try {
            return read_line().empty();
        } catch (const Poco::Exception&) {
            return true;  // reset counts as closed
        }
    }
    // HI, then a producer HELLO; returns the HELLO reply.
    std::string handshake() {
        read_line();
        send("HELLO {\"v\":2}\r\n");
        return read_line();
    }

private:
    Poco::Net::StreamSocket socket_;
    std::string buffer_;
};

} // namespace faktory_host::devserver::test
