// ClientSession: handshake, command loop, replies (with fault injection), close.
#include "devserver/client_session.hpp"

#include <random>
#include <sys/socket.h>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Timespan.h>

#include "protocol/errors.hpp"
#include "protocol/password_hash.hpp"
#include "protocol/resp.hpp"
#include "protocol/sigpipe_handler.hpp"

namespace faktory_host::devserver {

namespace resp = protocol::resp;

namespace {

constexpr auto handshake_limit = std::chrono::seconds(2);
// Faktory sets no limit; a hostile client must still not make us buffer without end.
constexpr std::size_t max_command_line = 16 * 1024 * 1024;

} // namespace

// Reads from the socket; during the handshake each read waits at most until the deadline.
class ClientSession::SocketSource : public resp::ByteSource {
public:
    explicit SocketSource(Poco::Net::StreamSocket& socket) : socket_(socket) {}
    void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) { deadline_ = deadline; }

    std::size_t read_some(char* out, std::size_t max) override {
        if (deadline_) {
            const auto left = *deadline_ - std::chrono::steady_clock::now();
            if (left <= std::chrono::milliseconds(0)) throw protocol::ConnectionError("handshake timed out");
            const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
            socket_.setReceiveTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(micros)));
        }
        try {
            const int n = socket_.receiveBytes(out, static_cast<int>(std::min<std::size_t>(max, 1 << 16)));
            return n > 0 ? static_cast<std::size_t>(n) : 0;
        } catch (const Poco::Exception& e) {
            throw protocol::ConnectionError(e.displayText());
        }
    }

private:
    Poco::Net::StreamSocket& socket_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
};

namespace {

std::string random_salt() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%llx",
                  static_cast<unsigned long long>(generator() & 0x7fffffffffffffffULL));
    return buffer;
}

int random_iterations() {
    thread_local std::mt19937 generator{std::random_device{}()};
    return std::uniform_int_distribution<int>(4000, 8095)(generator);
}

// Constant-time comparison, so the hash check leaks nothing through timing.
bool same_secret(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace

ClientSession::ClientSession(ServerState& state, Poco::Net::StreamSocket socket, bool tls)
    : state_(state), socket_(std::move(socket)), tls_(tls),
      source_(std::make_unique<SocketSource>(socket_)),
      reader_(std::make_unique<resp::RespReader>(*source_, resp::ReaderLimits{max_command_line, 0, 0, 0})) {
    fd_ = socket_.impl()->sockfd();
    origin_.abandon = &abandon_;
}

ClientSession::~ClientSession() { close_socket(); }

void ClientSession::close_from_server() {
    abandon_ = true;
    {
        std::lock_guard lock(fd_mutex_);
        // shutdown(2) wakes this session's blocked read without racing its own close.
        if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    }
    state_.jobs.wake_all_fetchers();
}

void ClientSession::close_after_reply() {
    abandon_ = true;
    {
        std::lock_guard lock(fd_mutex_);
        // Only the read side: a reply being written still reaches the client,
        // and the blocked read wakes with end of stream.
        if (fd_ >= 0) ::shutdown(fd_, SHUT_RD);
    }
    state_.jobs.wake_all_fetchers();
}

void ClientSession::close_socket() {
    std::lock_guard lock(fd_mutex_);
    if (fd_ < 0) return;
    fd_ = -1;
    try {
        socket_.close();
    } catch (...) {
        // Already gone: nothing left to release.
    }
}

void ClientSession::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        // MSG_NOSIGNAL: a vanished client is an error here, not SIGPIPE (TLS ignores the flag).
        const int n = socket_.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent), MSG_NOSIGNAL);
        if (n <= 0) throw protocol::ConnectionError("peer closed the connection");
        sent += static_cast<std::size_t>(n);
    }
}

void ClientSession::send_reply(std::string bytes) {
    const auto delay = state_.faults.reply_delay_ms.load();
    if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    const auto garbage = state_.faults.garbage_generation.load();
    if (garbage != garbage_seen_) {
        garbage_seen_ = garbage;
        bytes = "?\x01\xff garbage injected by the dev server\r\n";
    }
    send(bytes);
}

void ClientSession::run() {
    // A peer that vanishes must not kill the process with SIGPIPE (OpenSSL
    // writes with plain write(2)): a no-op handler, installed once per process.
    protocol::install_sigpipe_handler_once();
    try {
        socket_.setNoDelay(true);
        if (handshake()) serve_commands();
    } catch (...) {
        // Any socket or TLS failure ends this connection and nothing else.
    }
    if (!origin_.wid.empty()) state_.workers.remove_connection(origin_.wid, this);
    if (counted_) --state_.connections;
    close_socket();
    finished_ = true;
}

bool ClientSession::handshake() {
    const auto deadline = std::chrono::steady_clock::now() + handshake_limit;
    const Poco::Timespan limit(2, 0);
    socket_.setSendTimeout(limit);
    socket_.setReceiveTimeout(limit);
    if (tls_) {
        // A SecureStreamSocket view sharing the accepted socket's TLS implementation.
        Poco::Net::SecureStreamSocket secure(socket_);
        if (secure.completeHandshake() != 1) return false;
    }

    std::string salt;
    int iterations = 0;
    std::string greeting = "HI {\"v\":2";
    if (!state_.password.empty()) {
        salt = random_salt();
        iterations = random_iterations();
        greeting += ",\"i\":" + std::to_string(iterations) + ",\"s\":\"" + salt + "\"";
    }
    greeting += "}";
    send(resp::simple_string(greeting));

    source_->set_deadline(deadline);
    const auto line = reader_->read_command_line();
    // Anything but "HELLO {...}" first: Faktory closes without a word.
    if (!line || line->rfind("HELLO {", 0) != 0) return false;
    Poco::JSON::Object::Ptr hello;
    try {
        Poco::JSON::Parser parser;
        const auto parsed = parser.parse(line->substr(6));
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return false;
        hello = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return false;
    }

    if (!state_.password.empty()) {
        const int version = hello->optValue<int>("v", 0);
        const std::string expected = protocol::password_hash(state_.password, salt, version < 2 ? 1 : iterations);
        const std::string given = hello->optValue<std::string>("pwdhash", "");
        if (!same_secret(given, expected)) {
            send(resp::error("ERR Invalid password"));
            return false;
        }
    }

    WorkerIdentity identity;
    identity.wid = hello->optValue<std::string>("wid", "");
    if (!identity.wid.empty()) {
        identity.hostname = hello->optValue<std::string>("hostname", "");
        identity.pid = hello->optValue<std::int64_t>("pid", 0);
        if (const auto labels = hello->getArray("labels"); !labels.isNull())
            for (std::size_t i = 0; i < labels->size(); ++i)
                identity.labels.push_back(labels->get(static_cast<unsigned>(i)).convert<std::string>());
        origin_.wid = identity.wid;
        origin_.registered_wid = state_.workers.add_connection(identity, this);
    }
    send(resp::simple_string("OK"));
    garbage_seen_ = state_.faults.garbage_generation.load();
    ++state_.connections;
    counted_ = true;

    socket_.setReceiveTimeout(Poco::Timespan(0));
    socket_.setSendTimeout(Poco::Timespan(30, 0));
    source_->set_deadline(std::nullopt);
    return true;
}

void ClientSession::serve_commands() {
    while (!abandon_.load() && !state_.stopping.load()) {
        std::optional<std::string> command;
        try {
            command = reader_->read_command_line();
        } catch (const protocol::ProtocolError&) {
            send(resp::error("ERR command line longer than " + std::to_string(max_command_line) + " bytes"));
            return;
        }
        if (!command) return;
        ++state_.command_count;
        // The in-flight count goes up before the shutdown check, so
        // begin_shutdown() (which sets the flag, then waits for the count to
        // drain) never misses a command that is already past the check.
        ++state_.commands_in_flight;
        if (state_.shutting_down.load()) {
            --state_.commands_in_flight;
            send(resp::error("ERR shutdown in progress"));  // not carried out: the client must send it again
            return;
        }
        CommandReply reply;
        try {
            reply = execute_command(state_, origin_, *command);
        } catch (...) {
            --state_.commands_in_flight;
            throw;
        }
        --state_.commands_in_flight;
        if (!reply.bytes.empty()) send_reply(reply.bytes);
        if (reply.close) return;
    }
}

} // namespace faktory_host::devserver
