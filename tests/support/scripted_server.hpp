// A scripted Faktory server for tests: accepts connections on a loopback
// port one after another and runs a test-written script on each (send this
// reply, read that command, close), so a client can be fed exactly the
// replies a test needs: malformed jobs, refusals, lost replies. Header-only.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include "protocol/resp.hpp"

namespace faktory_host::testing {

class SocketSource : public protocol::resp::ByteSource {
public:
    explicit SocketSource(Poco::Net::StreamSocket& socket) : socket_(socket) {}
    std::size_t read_some(char* out, std::size_t max) override {
        const int n = socket_.receiveBytes(out, static_cast<int>(max));
        if (n < 0) throw std::runtime_error("fake server: receive timed out");
        return static_cast<std::size_t>(n);
    }

private:
    Poco::Net::StreamSocket& socket_;
};

// The fake server's side of one connection.
class Peer {
public:
    explicit Peer(Poco::Net::StreamSocket socket) : socket_(std::move(socket)), source_(socket_), reader_(source_) {
        socket_.setReceiveTimeout(Poco::Timespan(10, 0));
    }
    void send(const std::string& bytes) { socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size())); }
    // The next command line; throws when the client hung up instead.
    std::string read_line() {
        auto line = reader_.read_command_line();
        if (!line) throw std::runtime_error("fake server: client closed the connection");
        lines.push_back(*line);
        return *line;
    }
    // HI, HELLO, +OK: returns the HELLO line.
    std::string handshake(const std::string& hi = R"({"v":2})") {
        send("+HI " + hi + "\r\n");
        const auto hello = read_line();
        send("+OK\r\n");
        return hello;
    }
    // Reads one command and answers it with `reply`.
    std::string answer(const std::string& reply) {
        const auto line = read_line();
        send(reply);
        return line;
    }
    std::vector<std::string> lines;

private:
    Poco::Net::StreamSocket socket_;
    SocketSource source_;
    protocol::resp::RespReader reader_;
};

// Accepts `connections` connections one after another and runs the script on
// each; what the client sent and any script failure are read after join().
class FakeServer {
public:
    using Script = std::function<void(Peer&, int connection_index)>;

    // TLS servers bind "localhost" so they sit wherever the client resolves it.
    explicit FakeServer(Script script, int connections = 1, Poco::Net::Context::Ptr tls = nullptr)
        : script_(std::move(script)) {
        const Poco::Net::SocketAddress address(tls ? "localhost" : "127.0.0.1", 0);
        if (tls)
            socket_ = std::make_unique<Poco::Net::SecureServerSocket>(address, 64, tls);
        else
            socket_ = std::make_unique<Poco::Net::ServerSocket>(address);
        thread_ = std::thread([this, connections] { run(connections); });
    }
    ~FakeServer() { join(); }

    std::uint16_t port() const { return socket_->address().port(); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    std::vector<std::string> lines() {
        join();
        return lines_;
    }
    std::string error() {
        join();
        return error_;
    }

private:
    void run(int connections) {
        for (int i = 0; i < connections; ++i) {
            try {
                if (!socket_->poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ)) {
                    error_ += "no connection arrived; ";
                    return;
                }
                Peer peer(socket_->acceptConnection());
                try {
                    script_(peer, i);
                } catch (...) {
                    lines_.insert(lines_.end(), peer.lines.begin(), peer.lines.end());
                    throw;
                }
                lines_.insert(lines_.end(), peer.lines.begin(), peer.lines.end());
            } catch (const Poco::Exception& e) {
                error_ += e.displayText() + "; ";
            } catch (const std::exception& e) {
                error_ += std::string(e.what()) + "; ";
            }
        }
    }

    Script script_;
    std::unique_ptr<Poco::Net::ServerSocket> socket_;
    std::thread thread_;
    std::vector<std::string> lines_;
    std::string error_;
};

// A SocketSource that numbers its reads (recv calls) from a counter shared
// by every connection, so a test can tell which command lines came in one read.
class CountingSource : public protocol::resp::ByteSource {
public:
    CountingSource(Poco::Net::StreamSocket& socket, std::atomic<std::uint64_t>& counter)
        : inner_(socket), counter_(counter) {}
    std::size_t read_some(char* out, std::size_t max) override {
        const auto n = inner_.read_some(out, max);
        last_read_ = ++counter_;
        return n;
    }
    std::uint64_t last_read() const { return last_read_; }

private:
    SocketSource inner_;
    std::atomic<std::uint64_t>& counter_;
    std::uint64_t last_read_ = 0;
};

// A scripted Faktory serving any number of connections at once (a worker
// host opens several): each gets `+HI {"v":2}`, HELLO gets `+OK`, END closes,
// and every other command goes to `reply`, which returns the reply bytes or
// std::nullopt to close the connection without a word. Every command line
// received is kept, in arrival order, for the test to read, with the
// connection it came on and the read that completed it (`received()`).
class ScriptedFaktory {
public:
    using Reply = std::function<std::optional<std::string>(const std::string& verb, const std::string& argument)>;

    struct Received {
        int connection = 0;      // 1 for the first connection accepted, ...
        std::uint64_t read = 0;  // the read (recv) that brought its last byte; equal = came in one read
        std::string line;
    };

    explicit ScriptedFaktory(Reply reply)
        : reply_(std::move(reply)), socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~ScriptedFaktory() {
        stopping_ = true;
        if (acceptor_.joinable()) acceptor_.join();
        std::list<std::thread> sessions;
        {
            std::lock_guard lock(mutex_);
            for (auto& socket : open_) {
                try {
                    socket.shutdown();  // wakes a session blocked in a read
                } catch (...) {
                    // Already closed by its session.
                }
            }
            sessions.swap(sessions_);
        }
        for (auto& session : sessions) session.join();
    }
    ScriptedFaktory(const ScriptedFaktory&) = delete;
    ScriptedFaktory& operator=(const ScriptedFaktory&) = delete;

    std::string url() const { return "tcp://127.0.0.1:" + std::to_string(socket_.address().port()); }
    std::vector<std::string> commands() const {
        std::lock_guard lock(mutex_);
        return commands_;
    }
    // Command lines starting with `prefix` ("ACK ", "FAIL ", "PUSH ").
    std::vector<std::string> commands_starting(const std::string& prefix) const {
        std::vector<std::string> out;
        for (const auto& line : commands())
            if (line.rfind(prefix, 0) == 0) out.push_back(line);
        return out;
    }
    int connections() const { return connections_.load(); }
    std::vector<Received> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }

private:
    void accept_loop() {
        while (!stopping_) {
            if (!socket_.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) continue;
            auto socket = socket_.acceptConnection();
            const int number = ++connections_;
            std::lock_guard lock(mutex_);
            open_.push_back(socket);
            sessions_.emplace_back([this, socket, number]() mutable { serve(socket, number); });
        }
    }

    void serve(Poco::Net::StreamSocket socket, int number) {
        try {
            socket.setReceiveTimeout(Poco::Timespan(30, 0));
            CountingSource source(socket, reads_);
            protocol::resp::RespReader reader(source);
            auto send = [&](const std::string& bytes) { socket.sendBytes(bytes.data(), static_cast<int>(bytes.size())); };
            send("+HI {\"v\":2}\r\n");
            while (!stopping_) {
                const auto line = reader.read_command_line();
                if (!line) break;
                {
                    std::lock_guard lock(mutex_);
                    commands_.push_back(*line);
                    received_.push_back(Received{number, source.last_read(), *line});
                }
                const auto space = line->find(' ');
                const auto verb = line->substr(0, space);
                const auto argument = space == std::string::npos ? std::string() : line->substr(space + 1);
                if (verb == "HELLO") {
                    send("+OK\r\n");
                    continue;
                }
                if (verb == "END") break;
                const auto reply = reply_(verb, argument);
                if (!reply) break;
                send(*reply);
            }
        } catch (...) {
            // The peer went away or the test is over: this session ends.
        }
        socket.close();
    }

    Reply reply_;
    Poco::Net::ServerSocket socket_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> connections_{0};
    std::atomic<std::uint64_t> reads_{0};
    mutable std::mutex mutex_;
    std::vector<std::string> commands_;
    std::vector<Received> received_;
    std::list<Poco::Net::StreamSocket> open_;
    std::list<std::thread> sessions_;
    std::thread acceptor_;
};

} // namespace faktory_host::testing
