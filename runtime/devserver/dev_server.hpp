// An embedded, in-memory, Faktory-compatible server: for local runs, tests
// and benchmarks. Not a production server. Thread-safe.
//
// Speaks the work protocol as /work/shared/PROTOCOL.md describes Faktory 1.9:
// HELLO (with pwdhash), PUSH, PUSHB, FETCH, ACK, FAIL, BEAT, INFO, FLUSH, END,
// QUEUE PAUSE|RESUME|REMOVE, MUTATE, and the Enterprise-only refusal of BATCH
// and TRACK. MUTATE supports cmd clear|kill|discard|requeue on target
// retries|dead|scheduled, with filter jobtype, jids, or regexp (a Redis-style
// glob over the job's JSON, as Faktory's SCAN MATCH). As in Faktory, an ACK
// or FAIL counts as processed only when it finds the reservation. Command
// lines are bounded at 16 MiB (Faktory has no bound); longer ones get an
// -ERR and the connection is closed.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <Poco/JSON/Object.h>

namespace faktory_host::devserver {

struct DevServerOptions {
    std::string bind = "127.0.0.1:7419";     // port 0 = ephemeral
    std::string control = "127.0.0.1:7420";  // HTTP control port; empty = no control server; port 0 = ephemeral
    std::string password;                     // empty = no password
    std::string tls_cert_file;                // both set = the work port speaks TLS
    std::string tls_key_file;
};

class DevServer {
public:
    explicit DevServer(DevServerOptions options);
    ~DevServer();  // stops
    DevServer(const DevServer&) = delete;
    DevServer& operator=(const DevServer&) = delete;

    void start();  // throws if a port cannot be bound
    void stop();

    // Faktory's shutdown: from now on every command read on any connection is
    // answered `-ERR shutdown in progress` and its connection closed, without
    // the command being carried out; new connections are refused (the port is
    // closed). Returns once the commands already being executed are done.
    void begin_shutdown();
    // begin_shutdown(), close every connection and the listener, stay down for
    // `down_for`, then listen again on the same port. Jobs, queues,
    // reservations (with their deadlines), retries, scheduled, dead and the
    // counters are kept; workers are forgotten with their connections, as a
    // restarted Faktory forgets them. Safe while clients hammer the server.
    void restart(std::chrono::milliseconds down_for);

    // The whole job state (everything restart() keeps, plus the clock offset)
    // as a JSON file, written to a temporary file and renamed into place.
    // load_state() replaces what the server holds; throws naming the file on
    // a file it cannot read.
    void save_state(const std::string& path) const;
    void load_state(const std::string& path);

    std::uint16_t port() const;          // the bound work port (after start)
    std::uint16_t control_port() const;  // the bound control port, 0 when none
    std::string url() const;             // "tcp://127.0.0.1:<port>" (tcp+tls:// with TLS; no password)

    // The same document GET /stats returns:
    // {"processed","failed","queues":{name:size},"scheduled":[job],"retries":[job],
    //  "dead":[job],"working":[job],"workers":[{wid,hostname,pid,labels,state,last_beat,connections}]}
    Poco::JSON::Object::Ptr stats() const;
    std::string stats_json() const;

    // As the Web UI does: the next BEAT of `wid` (or of every worker for "all")
    // answers with this state. Returns false for an unknown wid.
    bool quiet(const std::string& wid);
    bool terminate(const std::string& wid);

    // Fault injection for tests.
    void drop_all_connections();                                  // close every client socket now
    void delay_replies(std::chrono::milliseconds delay);          // before every reply; 0 = off
    void refuse_connections_for(std::chrono::milliseconds span);  // accept-then-close new clients
    void send_garbage_frame();  // the next reply on every connection is garbage instead

    // Time travel for tests. The server's clock (job timestamps, `at`, retry
    // and reservation deadlines, heartbeat ages) runs `by` ahead from now on,
    // and the periodic checks run at once: due scheduled and retry jobs are
    // enqueued, expired reservations FAIL with ReservationExpired, workers
    // silent for 60 s are reaped. FETCH's 2 s block stays real time.
    void advance_time(std::chrono::seconds by);
    // The periodic checks above, now, without moving the clock (they also run
    // by themselves about once a second).
    void run_periodic_tasks();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace faktory_host::devserver
