// One socket to a Faktory server (plain TCP or TLS): writes command lines and
// reads RESP replies through a buffered, bounded reader. Not thread-safe.
//
// Deadlines are per reply, not per read: a reply (the greeting included) must
// arrive whole within read_timeout, so a server trickling a byte every few
// seconds is cut off instead of holding the caller forever. A stop request on
// `stop` abandons the connect and the handshake at once (the socket is shut
// down under the blocked call); after handshake_done() it no longer does, so
// a reply already on its way (a fetched job) is never thrown away.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "protocol/client.hpp"
#include "protocol/resp.hpp"
#include "protocol/server_url.hpp"

namespace Poco::Net {
class StreamSocket;
}

namespace faktory_host::protocol {

namespace tls {
struct Failure;
struct ModuleApi;
} // namespace tls

struct ConnectionOptions {
    TlsOptions tls;
    std::chrono::milliseconds connect_timeout{5000};  // TCP connect, and the TLS handshake
    std::chrono::milliseconds read_timeout{10000};    // the whole of one reply, however it trickles in
    resp::ReaderLimits limits;
    std::stop_token stop;  // abandons connecting (TCP, TLS, HI/HELLO) when requested
};

class Connection {
public:
    // Connects (and completes the TLS handshake when url.tls, loading the TLS
    // module on first use); throws ConnectionError naming the masked URL on any failure.
    Connection(const ServerUrl& url, const ConnectionOptions& options);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Writes "VERB\r\n" or "VERB argument\r\n". An argument holding CR or LF
    // would smuggle a second command: std::invalid_argument.
    void send_command(std::string_view verb, std::string_view argument = {});
    // Appends that line to `out`, checked the same way: several lines sent
    // with one send_raw() reach the server in one write (pipelining).
    static void append_command(std::string& out, std::string_view verb, std::string_view argument = {});
    // Writes bytes as they are (tests, odd commands). Throws ConnectionError.
    void send_raw(std::string_view bytes);
    // Reads one reply. Throws ConnectionError (closed, timed out, reset) or
    // ProtocolError (malformed). Either leaves the connection unusable.
    resp::Value read_reply();
    // Closes the socket; never throws. Further sends/reads throw ConnectionError.
    void close() noexcept;
    bool is_open() const { return open_; }
    // The handshake is over: from now on a stop request no longer cuts the socket.
    void handshake_done() noexcept;

    const ServerUrl& url() const { return url_; }

private:
    class SocketSource;
    struct StopWatch;

    void connect_socket(const ConnectionOptions& options);
    [[noreturn]] void throw_stopped() const;
    // The TLS module, or ConnectionError naming the URL, the module's path and why it did not load.
    const tls::ModuleApi& loaded_tls_module() const;
    [[noreturn]] void throw_tls_failure(const tls::Failure& failure) const;

    ServerUrl url_;
    std::chrono::milliseconds reply_timeout_;
    std::unique_ptr<Poco::Net::StreamSocket> socket_;
    std::unique_ptr<SocketSource> source_;
    std::unique_ptr<resp::RespReader> reader_;
    std::unique_ptr<StopWatch> stop_watch_;
    bool open_ = false;
};

} // namespace faktory_host::protocol
