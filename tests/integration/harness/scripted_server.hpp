// A loopback TCP server that misbehaves on purpose, for the host's
// reconnect and deadline tests: every accepted connection runs one script
// (in its own thread) and the server counts the connections it accepted and
// when. Scripts hold their connection until told to finish, so the
// destructor ends everything promptly.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

namespace faktory_host::testing {

class ScriptedServer {
public:
    // Runs for one connection; `done` turns true when the server shuts down.
    using Script = std::function<void(Poco::Net::StreamSocket& peer, const std::atomic<bool>& done)>;

    explicit ScriptedServer(Script script);
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::string url() const;  // tcp://127.0.0.1:<port>
    std::size_t accepted() const;
    // Connections accepted within [from, to).
    std::size_t accepted_between(std::chrono::steady_clock::time_point from,
                                 std::chrono::steady_clock::time_point to) const;

    // Script pieces.
    static void send(Poco::Net::StreamSocket& peer, const std::string& bytes);
    // One command line (without CR LF); empty when the peer hung up or `done`.
    static std::string read_line(Poco::Net::StreamSocket& peer, const std::atomic<bool>& done);
    // Sends `bytes` one at a time, `gap` apart; stops early when `done`.
    static void trickle(Poco::Net::StreamSocket& peer, const std::string& bytes, std::chrono::milliseconds gap,
                        const std::atomic<bool>& done);
    static void hold(const std::atomic<bool>& done);  // until the server shuts down

private:
    void accept_loop();

    Script script_;
    Poco::Net::ServerSocket socket_;
    std::atomic<bool> done_{false};
    mutable std::mutex mutex_;
    std::vector<std::chrono::steady_clock::time_point> accepted_at_;
    std::vector<std::thread> connections_;
    std::thread acceptor_;
};

} // namespace faktory_host::testing
