// One client connection to the dev server, on its own thread: the HI/HELLO
// handshake (TLS first when configured, all within 2 s), then command lines
// until END, EOF or the server closes it.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include "devserver/commands.hpp"
#include "devserver/server_state.hpp"
#include "devserver/worker_registry.hpp"
#include "protocol/resp.hpp"

namespace faktory_host::devserver {

class ClientSession : public ClosableConnection {
public:
    // `socket` is freshly accepted; with TLS it is a SecureStreamSocket whose
    // handshake has not happened yet.
    ClientSession(ServerState& state, Poco::Net::StreamSocket socket, bool tls);
    ~ClientSession() override;

    void run();  // returns when the connection is over; never throws
    void close_from_server() override;
    // Ends the connection once the command it is executing (if any) has been
    // answered: used by a restart, so no reply that carries a job is cut off.
    void close_after_reply();
    bool finished() const { return finished_.load(); }

private:
    class SocketSource;

    bool handshake();
    void serve_commands();
    void send(const std::string& bytes);
    void send_reply(std::string bytes);
    void close_socket();

    ServerState& state_;
    Poco::Net::StreamSocket socket_;
    bool tls_;
    // One reader for the connection's whole life, so bytes it buffered past
    // HELLO are not lost.
    std::unique_ptr<SocketSource> source_;
    std::unique_ptr<protocol::resp::RespReader> reader_;
    std::mutex fd_mutex_;  // guards fd_ against reuse after close
    int fd_ = -1;
    std::atomic<bool> abandon_{false};
    std::atomic<bool> finished_{false};
    CommandOrigin origin_;
    std::uint64_t garbage_seen_ = 0;
    bool counted_ = false;
};

} // namespace faktory_host::devserver
