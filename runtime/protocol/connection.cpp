// Connection: Poco sockets (TCP or TLS) under the RESP reader, with every
// socket failure turned into ConnectionError.
#include "protocol/connection.hpp"

#include <csignal>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

#include "protocol/errors.hpp"

namespace faktory_host::protocol {

namespace {

Poco::Timespan to_timespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// OpenSSL writes with plain write(2), which raises SIGPIPE on a socket the
// peer closed and would kill the process. Block it on this thread for the
// write and swallow any instance we caused, instead of changing the
// process-wide disposition behind the application's back.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        already_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeGuard() {
        if (!already_pending_) {
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{0, 0};
                sigtimedwait(&pipe_, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t pipe_{};
    sigset_t old_{};
    bool already_pending_ = false;
};

Poco::Net::Context::Ptr client_context(const TlsOptions& tls) {
    ensure_ssl_initialized();
    Poco::Net::Context::Params params;
    params.caLocation = tls.ca_file;
    params.loadDefaultCAs = tls.ca_file.empty();
    params.verificationMode = tls.verify_peer ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Per-context so verification never depends on a global SSLManager setup.
    context->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(false));
    return context;
}

} // namespace

void ensure_ssl_initialized() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

// Feeds the RESP reader from the socket; a closed or silent peer is a
// ConnectionError, never a partial value.
class Connection::SocketSource : public resp::ByteSource {
public:
    SocketSource(Poco::Net::StreamSocket& socket, const ServerUrl& url) : socket_(socket), url_(url) {}

    std::size_t read_some(char* out, std::size_t max) override {
        int n = 0;
        try {
            n = socket_.receiveBytes(out, static_cast<int>(std::min<std::size_t>(max, 1 << 20)));
        } catch (const Poco::TimeoutException&) {
            throw ConnectionError("timed out waiting for a reply from Faktory server " + url_.masked());
        } catch (const Poco::Exception& e) {
            throw ConnectionError("lost connection to Faktory server " + url_.masked() + ": " + e.displayText());
        }
        if (n == 0) throw ConnectionError("Faktory server " + url_.masked() + " closed the connection");
        // A TLS socket reports a receive timeout as "want read".
        if (n < 0) throw ConnectionError("timed out waiting for a reply from Faktory server " + url_.masked());
        return static_cast<std::size_t>(n);
    }

private:
    Poco::Net::StreamSocket& socket_;
    const ServerUrl& url_;
};

Connection::Connection(const ServerUrl& url, const ConnectionOptions& options) : url_(url) {
    try {
        const Poco::Net::SocketAddress address(url_.host, url_.port);
        if (url_.tls) {
            auto secure = std::make_unique<Poco::Net::SecureStreamSocket>(client_context(options.tls));
            secure->setPeerHostName(url_.host);
            // Poco's connect() does not bound the handshake, so do it ourselves
            // under the connect timeout: a silent peer must not hang us.
            secure->setLazyHandshake(true);
            secure->connect(address, to_timespan(options.connect_timeout));
            secure->setReceiveTimeout(to_timespan(options.connect_timeout));
            secure->setSendTimeout(to_timespan(options.connect_timeout));
            if (secure->completeHandshake() != 1)
                throw ConnectionError("TLS handshake with Faktory server " + url_.masked() + " timed out");
            socket_ = std::move(secure);
        } else {
            socket_ = std::make_unique<Poco::Net::StreamSocket>();
            socket_->connect(address, to_timespan(options.connect_timeout));
        }
        socket_->setNoDelay(true);
        socket_->setReceiveTimeout(to_timespan(options.read_timeout));
        socket_->setSendTimeout(to_timespan(options.read_timeout));
    } catch (const Poco::Net::SSLException& e) {
        throw ConnectionError("TLS handshake with Faktory server " + url_.masked() + " failed: " + e.displayText());
    } catch (const Poco::Exception& e) {
        throw ConnectionError("cannot connect to Faktory server " + url_.masked() + ": " + e.displayText());
    }
    source_ = std::make_unique<SocketSource>(*socket_, url_);
    reader_ = std::make_unique<resp::RespReader>(*source_, options.limits);
    open_ = true;
}

Connection::~Connection() { close(); }

void Connection::send_command(std::string_view verb, std::string_view argument) {
    if (verb.find_first_of("\r\n ") != std::string_view::npos || argument.find_first_of("\r\n") != std::string_view::npos)
        throw std::invalid_argument("a Faktory command or its argument contains a line break: \"" +
                                    resp::escape_excerpt(std::string(verb) + " " + std::string(argument)) + "\"");
    std::string line(verb);
    if (!argument.empty()) {
        line += ' ';
        line += argument;
    }
    line += "\r\n";
    send_raw(line);
}

void Connection::send_raw(std::string_view bytes) {
    if (!open_) throw ConnectionError("not connected to Faktory server " + url_.masked());
    try {
        SigpipeGuard no_sigpipe;
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const int n = socket_->sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
            if (n <= 0) throw ConnectionError("timed out sending to Faktory server " + url_.masked());
            sent += static_cast<std::size_t>(n);
        }
    } catch (const Poco::Exception& e) {
        throw ConnectionError("lost connection to Faktory server " + url_.masked() + ": " + e.displayText());
    }
}

resp::Value Connection::read_reply() {
    if (!open_) throw ConnectionError("not connected to Faktory server " + url_.masked());
    return reader_->read();
}

void Connection::close() noexcept {
    if (!open_) return;
    open_ = false;
    try {
        socket_->close();
    } catch (...) {
        // Closing a socket the peer already dropped can fail; nothing to do.
    }
}

} // namespace faktory_host::protocol
