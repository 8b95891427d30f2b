// The worker process's engine: processor threads (one connection each) in
// one or more pools, the heartbeat, the lifecycle (running -> reloading ->
// running with a new wid; quiet; terminating), and the result ledger that
// re-sends undelivered ACK/FAIL after reconnecting.
#pragma once
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "config/config.hpp"
#include "protocol/client.hpp"
#include "worker/lifecycle.hpp"

namespace faktory_host::worker {

// How a reload re-reads the configuration (set by the app, which knows the
// file and the command-line overrides). Without it a reload keeps the
// configuration the host was started with.
struct ConfigSource {
    // Reads and validates the file again, overrides applied; throws
    // config::ConfigError (file:line:column) or std::exception.
    std::function<config::Config()> read;
    // Runs once a re-read configuration is in force (e.g. to set the log level).
    std::function<void(const config::Config&)> applied;
};

class WorkerHost {
public:
    // `connection` carries the resolved URL, password, TLS and timeouts; its
    // `worker` identity is filled in by the host (a fresh wid per generation).
    WorkerHost(config::Config config, protocol::ClientOptions connection);
    ~WorkerHost();
    WorkerHost(const WorkerHost&) = delete;
    WorkerHost& operator=(const WorkerHost&) = delete;

    // Loads the first plugin generation (throws std::runtime_error when the
    // plugins directory is unusable), connects, and runs until terminated.
    // Returns the process exit code (0 after an orderly terminate).
    int run();

    // Before run(): where reloads re-read the configuration from.
    void set_config_source(ConfigSource source);

    // Thread-safe; meant to be called from a signal-watching thread.
    // As if the server said quiet with on_quiet: reload (SIGHUP). Logs why when
    // no reload can start now (quiet, terminating, one already under way); at
    // most one reload starts per second, a later request waits its turn.
    void request_reload();
    void request_quiet();      // quiet and stay quiet until terminated (SIGTSTP)
    void request_terminate();  // SIGTERM / SIGINT

    // One line per busy processor: pool, thread, jid, jobtype, running for how long (SIGTTIN).
    std::string describe_busy() const;

    LifecycleState state() const;
    std::string wid() const;  // the current worker identity

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace faktory_host::worker
