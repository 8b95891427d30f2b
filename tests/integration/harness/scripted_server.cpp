// The misbehaving loopback server.
#include "harness/scripted_server.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>

namespace faktory_host::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ScriptedServer::ScriptedServer(Script script)
    : script_(std::move(script)), socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedServer::~ScriptedServer() {
    done_ = true;
    acceptor_.join();
    for (auto& connection : connections_) connection.join();
}

void ScriptedServer::accept_loop() {
    while (!done_) {
        try {
            if (!socket_.poll(Poco::Timespan(0, 20'000), Poco::Net::Socket::SELECT_READ)) continue;
            auto peer = socket_.acceptConnection();
            std::lock_guard lock(mutex_);
            accepted_at_.push_back(Clock::now());
            connections_.emplace_back([this, peer]() mutable {
                try {
                    script_(peer, done_);
                } catch (const std::exception&) {
                    // The host hung up on the script: expected in most of these tests.
                }
                try {
                    peer.close();
                } catch (const std::exception&) {
                }
            });
        } catch (const Poco::Exception&) {
            // A connection that died while being accepted: nothing to run.
        }
    }
}

std::string ScriptedServer::url() const { return "tcp://127.0.0.1:" + std::to_string(socket_.address().port()); }

std::size_t ScriptedServer::accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_at_.size();
}

std::size_t ScriptedServer::accepted_between(Clock::time_point from, Clock::time_point to) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto at : accepted_at_)
        if (at >= from && at < to) ++n;
    return n;
}

void ScriptedServer::send(Poco::Net::StreamSocket& peer, const std::string& bytes) {
    peer.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
}

std::string ScriptedServer::read_line(Poco::Net::StreamSocket& peer, const std::atomic<bool>& done) {
    std::string line;
    peer.setReceiveTimeout(Poco::Timespan(0, 50'000));
    while (!done) {
        char c = 0;
        int n = 0;
        try {
            n = peer.receiveBytes(&c, 1);
        } catch (const Poco::TimeoutException&) {
            continue;
        }
        if (n <= 0) return {};
        if (c == '\n') break;
        if (c != '\r') line += c;
    }
    return line;
}

void ScriptedServer::trickle(Poco::Net::StreamSocket& peer, const std::string& bytes, std::chrono::milliseconds gap,
                             const std::atomic<bool>& done) {
    for (const char c : bytes) {
        if (done) return;
        peer.sendBytes(&c, 1);
        const auto until = Clock::now() + gap;
        while (!done && Clock::now() < until) std::this_thread::sleep_for(10ms);
    }
}

void ScriptedServer::hold(const std::atomic<bool>& done) {
    while (!done) std::this_thread::sleep_for(10ms);
}

} // namespace faktory_host::testing
