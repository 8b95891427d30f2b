// A connection to a Faktory server speaking the work protocol: handshake
// (HI/HELLO with pwdhash), producer and consumer commands. Not thread-safe:
// one Client per thread. Every failure is an exception from errors.hpp.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/fetched_job.hpp"
#include "protocol/job.hpp"
#include "protocol/server_url.hpp"

namespace faktory_host::protocol {

class Connection;

struct TlsOptions {
    bool verify_peer = true;  // off only for self-signed test servers, explicitly
    std::string ca_file;      // PEM bundle; empty = system default CAs
};

// Sent in HELLO by consumers; producers leave it unset.
struct WorkerIdentity {
    std::string hostname;
    std::string wid;
    int pid = 0;
    std::vector<std::string> labels;
};

struct ClientOptions {
    ServerUrl url;
    TlsOptions tls;
    std::chrono::milliseconds connect_timeout{5000};
    // Longer than FETCH's 2 s server-side block, so an idle FETCH never times out.
    std::chrono::milliseconds read_timeout{10000};
    std::optional<WorkerIdentity> worker;
    // A stop request abandons connect() at once (TCP, TLS, HI/HELLO); commands after it are not cut.
    std::stop_token stop_connecting;
    // The largest reply kept in memory, and so the largest job the host runs;
    // a larger job is read to its end and refused (FetchedJob::problem).
    std::size_t max_job_bytes = 16 * 1024 * 1024;
};

struct FailureReport {
    std::string errtype;
    std::string message;
    std::vector<std::string> backtrace;
};

// One result for Client::deliver_and_fetch: ACK `jid`, or FAIL it when `failure` is set.
struct ResultCommand {
    std::string_view jid;
    const FailureReport* failure = nullptr;
};

class ServerError;
// Called once per result of deliver_and_fetch, in order, as its reply arrives:
// `refusal` is null when the server took it (+OK), else what it answered.
using ResultAnswered = std::function<void(std::size_t index, const ServerError* refusal)>;

enum class WorkerState { running, quiet, terminate };
const char* to_string(WorkerState);

struct QueueInfo {
    std::string name;
    std::int64_t size = 0;
};

// INFO, parsed. `raw_json` keeps the whole reply.
struct ServerInfo {
    std::int64_t total_processed = 0;
    std::int64_t total_failures = 0;
    std::int64_t total_enqueued = 0;
    std::int64_t total_queues = 0;
    std::map<std::string, std::int64_t> queues;
    std::string faktory_version;
    std::int64_t uptime = 0;
    std::int64_t connections = 0;
    std::string raw_json;
};

class Client {
public:
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Opens the socket (TLS when the URL says so) and completes HI/HELLO.
    // Throws ConnectionError, AuthenticationError, ProtocolError, ServerError.
    void connect();
    bool connected() const;
    // Drops the socket without END (used after an error).
    void disconnect();
    // Sends END and closes; never throws.
    void end();

    void push(const Job& job);
    // Returns jid -> error text for the rejected jobs; empty when all accepted.
    std::map<std::string, std::string> push_bulk(const std::vector<Job>& jobs);
    // Blocks up to ~2 s server-side; std::nullopt when no job was available.
    // A malformed job is a ProtocolError (the connection stays in step).
    std::optional<Job> fetch(const std::vector<std::string>& queues);
    // The same for workers: a malformed job comes back checked, never thrown,
    // so it can be FAILed on this very connection.
    std::optional<FetchedJob> fetch_checked(const std::vector<std::string>& queues);
    void ack(const std::string& jid);
    void fail(const std::string& jid, const FailureReport& report);
    // The results and then a FETCH in one write; the server answers commands
    // in order, so the replies are read in that order (one recv usually
    // brings them all). `answered` hears each result's reply as it arrives;
    // FETCH's reply is returned as fetch_checked() returns it. A reply lost
    // (closed, timed out) throws ReplyLostError naming its command, after
    // `answered` heard the ones before it: the rest may or may not have been
    // carried out. A refused FETCH throws ServerError once every result was
    // answered. A write that fails throws ConnectionError: nothing is known.
    std::optional<FetchedJob> deliver_and_fetch(const std::vector<ResultCommand>& results,
                                                const std::vector<std::string>& queues,
                                                const ResultAnswered& answered);
    // Returns what the server wants this worker to be (running = `+OK`).
    WorkerState beat(const std::string& wid, std::int64_t rss_kb,
                     std::optional<WorkerState> current_state = std::nullopt);
    ServerInfo info();
    void flush();
    void queue_pause(const std::vector<std::string>& queues);
    void queue_resume(const std::vector<std::string>& queues);
    void queue_remove(const std::vector<std::string>& queues);
    void mutate(const std::string& compact_json);

    const ClientOptions& options() const { return options_; }

private:
    ClientOptions options_;
    std::unique_ptr<Connection> connection_;
};

} // namespace faktory_host::protocol
