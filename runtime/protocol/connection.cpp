// Connection: Poco sockets (TCP or TLS) under the RESP reader, with every
// socket failure turned into ConnectionError. TLS sockets come from the
// faktory-host-tls.so module (tls_module_loader.hpp); once made, they are
// used through the plain Poco::Net::StreamSocket interface like TCP ones.
#include "protocol/connection.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include "protocol/errors.hpp"
#include "protocol/sigpipe_handler.hpp"
#include "protocol/tls/tls_module_abi.hpp"
#include "protocol/tls_module_loader.hpp"

namespace faktory_host::protocol {

namespace {

Poco::Timespan to_timespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

} // namespace

// Feeds the RESP reader from the socket; a closed or silent peer is a
// ConnectionError, never a partial value. Each reply gets one deadline: the
// socket's receive timeout is lowered to what is left of it before every read
// (and put back for the next reply), so no extra system call is made while
// replies arrive in one piece.
class Connection::SocketSource : public resp::ByteSource {
public:
    SocketSource(Poco::Net::StreamSocket& socket, const ServerUrl& url, std::chrono::milliseconds reply_timeout)
        : socket_(socket), url_(url), reply_timeout_(reply_timeout), armed_(reply_timeout) {}

    void begin_reply() {
        if (armed_ != reply_timeout_) arm(reply_timeout_);
        deadline_ = Clock::now() + reply_timeout_;
    }

    std::size_t read_some(char* out, std::size_t max) override {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now());
        if (left <= std::chrono::milliseconds::zero()) throw timed_out();
        if (left < armed_) arm(left);
        int n = 0;
        try {
            n = socket_.receiveBytes(out, static_cast<int>(std::min<std::size_t>(max, 1 << 20)));
        } catch (const Poco::TimeoutException&) {
            throw timed_out();
        } catch (const Poco::Exception& e) {
            throw ConnectionError("lost connection to Faktory server " + url_.masked() + ": " + e.displayText());
        }
        if (n == 0) throw ConnectionError("Faktory server " + url_.masked() + " closed the connection");
        // A TLS socket reports a receive timeout as "want read".
        if (n < 0) throw timed_out();
        return static_cast<std::size_t>(n);
    }

private:
    using Clock = std::chrono::steady_clock;

    void arm(std::chrono::milliseconds timeout) {
        socket_.setReceiveTimeout(to_timespan(timeout));
        armed_ = timeout;
    }
    ConnectionError timed_out() const {
        return ConnectionError("timed out waiting for a reply from Faktory server " + url_.masked() +
                               " (no complete reply within " + std::to_string(reply_timeout_.count()) + " ms)");
    }

    Poco::Net::StreamSocket& socket_;
    const ServerUrl& url_;
    const std::chrono::milliseconds reply_timeout_;
    std::chrono::milliseconds armed_;
    Clock::time_point deadline_{};
};

// Cuts the socket when a stop is requested while connecting: shutdown(2)
// wakes a thread blocked in connect, the TLS handshake or a read, which then
// fails at once. The descriptor stays open (and so cannot be reused) until
// the watch is destroyed, which waits for a cut in progress.
struct Connection::StopWatch {
    struct Cut {
        StopWatch* watch;
        void operator()() const noexcept {
            const int fd = watch->fd.load();
            if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
        }
    };

    StopWatch(std::stop_token token_in, int fd_in) : token(std::move(token_in)), fd(fd_in) {
        callback.emplace(token, Cut{this});  // runs at once when the stop was already requested
    }
    bool stopped() const { return token.stop_requested(); }

    std::stop_token token;
    std::atomic<int> fd;
    std::optional<std::stop_callback<Cut>> callback;
};

namespace {

// Poco opens sockets without SOCK_CLOEXEC: a process a plugin starts would
// inherit the connection and hold it open after the host is gone.
void close_on_exec(const Poco::Net::Socket& socket) {
    const int fd = static_cast<int>(socket.impl()->sockfd());
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

} // namespace

void Connection::throw_stopped() const {
    throw ConnectionError("gave up connecting to Faktory server " + url_.masked() + ": the host is stopping");
}

void Connection::connect_socket(const ConnectionOptions& options) {
    const Poco::Net::SocketAddress address(url_.host, url_.port);
    const auto watch = [&](const Poco::Net::Socket& socket) {
        if (options.stop.stop_possible())
            stop_watch_ = std::make_unique<StopWatch>(options.stop, static_cast<int>(socket.impl()->sockfd()));
    };
    if (!url_.tls) {
        // The descriptor exists before connect() so a stop can cut even the connect itself.
        Poco::Net::StreamSocket plain(address.family());
        close_on_exec(plain);
        watch(plain);
        try {
            if (stop_watch_ && stop_watch_->stopped()) throw_stopped();
            plain.connect(address, to_timespan(options.connect_timeout));
            if (stop_watch_ && stop_watch_->stopped()) throw_stopped();
            socket_ = std::make_unique<Poco::Net::StreamSocket>(plain);
        } catch (...) {
            // Disarm before `plain` closes the descriptor, so a late cut cannot hit a reused number.
            const bool stopped = stop_watch_ && stop_watch_->stopped();
            stop_watch_.reset();
            if (stopped) throw_stopped();
            throw;
        }
        return;
    }
    // TLS: the descriptor exists only once connect() has run, so the watch
    // starts after the TCP connect; it covers the handshake and HI/HELLO.
    if (options.stop.stop_requested()) throw_stopped();
    const tls::ModuleApi& module = loaded_tls_module();
    tls::Failure failure;
    std::unique_ptr<Poco::Net::StreamSocket> secure(
        module.connect(address, url_.host, options.tls, options.connect_timeout, failure));
    if (!secure) throw_tls_failure(failure);
    close_on_exec(*secure);  // the descriptor is only made by connect()
    watch(*secure);
    try {
        if (stop_watch_ && stop_watch_->stopped()) throw_stopped();
        // Poco's connect() does not bound the handshake, so the module runs
        // it on its own under the connect timeout: a silent peer must not hang us.
        if (!module.complete_handshake(*secure, options.connect_timeout, failure)) throw_tls_failure(failure);
    } catch (...) {
        const bool stopped = stop_watch_ && stop_watch_->stopped();
        stop_watch_.reset();
        if (stopped) throw_stopped();
        throw;
    }
    socket_ = std::move(secure);
}

const tls::ModuleApi& Connection::loaded_tls_module() const {
    try {
        return tls_module();
    } catch (const ConnectionError& e) {
        throw ConnectionError("cannot connect to Faktory server " + url_.masked() + ": " + e.what());
    }
}

void Connection::throw_tls_failure(const tls::Failure& failure) const {
    switch (failure.kind) {
    case tls::Failure::Kind::timed_out:
        throw ConnectionError("TLS handshake with Faktory server " + url_.masked() + " timed out");
    case tls::Failure::Kind::tls:
        throw ConnectionError("TLS handshake with Faktory server " + url_.masked() + " failed: " + failure.text);
    case tls::Failure::Kind::connect:
    case tls::Failure::Kind::none:
        break;
    }
    throw ConnectionError("cannot connect to Faktory server " + url_.masked() + ": " + failure.text);
}

Connection::Connection(const ServerUrl& url, const ConnectionOptions& options)
    : url_(url), reply_timeout_(options.read_timeout) {
    // TLS writes with write(2), which cannot be told MSG_NOSIGNAL.
    install_sigpipe_handler_once();
    try {
        connect_socket(options);
        socket_->setNoDelay(true);
        socket_->setReceiveTimeout(to_timespan(options.read_timeout));
        socket_->setSendTimeout(to_timespan(options.read_timeout));
    } catch (const ConnectionError&) {
        throw;
    } catch (const Poco::Exception& e) {
        throw ConnectionError("cannot connect to Faktory server " + url_.masked() + ": " + e.displayText());
    }
    source_ = std::make_unique<SocketSource>(*socket_, url_, options.read_timeout);
    reader_ = std::make_unique<resp::RespReader>(*source_, options.limits);
    open_ = true;
}

Connection::~Connection() { close(); }

void Connection::send_command(std::string_view verb, std::string_view argument) {
    std::string line;
    append_command(line, verb, argument);
    send_raw(line);
}

void Connection::append_command(std::string& out, std::string_view verb, std::string_view argument) {
    // One pass per part (find_first_of calls memchr once per byte per character looked for).
    const auto breaks_line = [](char c) { return c == '\r' || c == '\n'; };
    if (std::any_of(verb.begin(), verb.end(), [&](char c) { return breaks_line(c) || c == ' '; }) ||
        std::any_of(argument.begin(), argument.end(), breaks_line))
        throw std::invalid_argument("a Faktory command or its argument contains a line break: \"" +
                                    resp::escape_excerpt(std::string(verb) + " " + std::string(argument)) + "\"");
    out.reserve(out.size() + verb.size() + argument.size() + 3);
    out += verb;
    if (!argument.empty()) {
        out += ' ';
        out += argument;
    }
    out += "\r\n";
}

void Connection::send_raw(std::string_view bytes) {
    if (!open_) throw ConnectionError("not connected to Faktory server " + url_.masked());
    // One deadline for the whole write too: a peer that reads a byte at a time cannot hold us.
    const auto deadline = std::chrono::steady_clock::now() + reply_timeout_;
    auto armed = reply_timeout_;
    const auto timed_out = [&] {
        return ConnectionError("timed out sending to Faktory server " + url_.masked() + " (not taken within " +
                               std::to_string(reply_timeout_.count()) + " ms)");
    };
    try {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const auto left =
                std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left <= std::chrono::milliseconds::zero()) throw timed_out();
            if (left < armed) {
                socket_->setSendTimeout(to_timespan(left));
                armed = left;
            }
            // MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE (TLS ignores the flag; see sigpipe_handler.hpp).
            const int n =
                socket_->sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent), MSG_NOSIGNAL);
            if (n <= 0) throw timed_out();
            sent += static_cast<std::size_t>(n);
        }
        if (armed != reply_timeout_) socket_->setSendTimeout(to_timespan(reply_timeout_));
    } catch (const ConnectionError&) {
        if (stop_watch_ && stop_watch_->stopped()) throw_stopped();
        throw;
    } catch (const Poco::TimeoutException&) {
        throw timed_out();
    } catch (const Poco::Exception& e) {
        if (stop_watch_ && stop_watch_->stopped()) throw_stopped();
        throw ConnectionError("lost connection to Faktory server " + url_.masked() + ": " + e.displayText());
    }
}

resp::Value Connection::read_reply() {
    if (!open_) throw ConnectionError("not connected to Faktory server " + url_.masked());
    source_->begin_reply();
    try {
        return reader_->read();
    } catch (const ConnectionError&) {
        if (stop_watch_ && stop_watch_->stopped()) throw_stopped();
        throw;
    }
}

void Connection::handshake_done() noexcept { stop_watch_.reset(); }

void Connection::close() noexcept {
    // The watch goes first: once it is gone no cut can hit a descriptor we are about to free.
    stop_watch_.reset();
    if (!open_) return;
    open_ = false;
    try {
        socket_->close();
    } catch (...) {
        // Closing a socket the peer already dropped can fail; nothing to do.
    }
}

} // namespace faktory_host::protocol
