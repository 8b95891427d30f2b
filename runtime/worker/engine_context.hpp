// The state every part of the engine shares: configuration, lifecycle,
// identity, the result ledger, the busy board, the current generation and
// the producer pool. Held by shared_ptr, so a processor thread that has to be
// left behind at exit (stuck in plugin code) never outlives what it uses.
#pragma once
#include <memory>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <Poco/Logger.h>
#include <Poco/Message.h>

#include "config/config.hpp"
#include "plugins/plugin_generation.hpp"
#include "protocol/client.hpp"
#include "worker/busy_board.hpp"
#include "worker/config_slot.hpp"
#include "worker/generation_slot.hpp"
#include "worker/identity_slot.hpp"
#include "worker/job_journal.hpp"
#include "worker/lifecycle.hpp"
#include "worker/outage_log.hpp"
#include "worker/producer_pool.hpp"
#include "worker/result_ledger.hpp"
#include "worker/state_directory.hpp"
#include "worker/run_limits.hpp"
#include "worker/wakeup.hpp"

namespace faktory_host::worker {

struct EngineContext;

// The services a plugin's host handle (SDK 1.1) uses outside jobs: the
// context's own, reached weakly (see engine_context.cpp).
std::shared_ptr<const plugins::HostServices> plugin_services(const std::shared_ptr<EngineContext>& context);

struct EngineContext {
    EngineContext(config::Config config, protocol::ClientOptions connection);

    // As the process started. Holds the keys that need a restart (connection,
    // pools, shutdown_timeout); reloadable keys are read from `settings`.
    const config::Config config;
    ConfigSlot settings;  // the configuration in force: swapped whole by a reload
    const protocol::ClientOptions connection;  // worker identity unset: each connection adds the current one
    Poco::Logger& logger;
    Lifecycle lifecycle;
    IdentitySlot identity;
    ResultLedger ledger;
    BusyBoard busy;
    GenerationSlot generation;
    ProducerPool producers;
    OutageLog outage;
    Wakeup wakeup;
    plugins::HostServices services;  // what handlers call back into
    std::unique_ptr<StateDirectory> state;  // worker.state_dir, locked; set when run() starts
    JobJournal journal;                     // the jobs in flight, in `state`; open once run() started
    RunLimits limits{config.worker.max_jobs, config.worker.until_empty_grace};  // run --max-jobs / --until-empty

    // worker.job_timeout (as in force now) for `jobtype`, else its "*" entry, else none.
    std::optional<config::Duration> job_limit(const std::string& jobtype) const;

    // Every job line carries the jid and the jobtype.
    // Views, not strings: a line for a level that is off costs no copy.
    void log_job(Poco::Message::Priority priority, std::string_view jid, std::string_view jobtype,
                 std::string_view text) const;

    // Sends every pending result through `client`; returns zero when all went
    // out, else how long to hold back before the next try (nothing may be
    // fetched meanwhile). Only a final refusal drops a result: `-ERR Job not
    // found` to a FAIL (the reservation is gone), or a PUSH refused for its
    // content. Any other refusal (`-ERR shutdown in progress`, storage errors)
    // keeps it for a re-send with backoff. Connection failures propagate; the
    // results stay.
    std::chrono::milliseconds deliver_results(protocol::Client& client);

    // What a refusal of `result` means, logged: false when it is final (the
    // result is dropped), true when the result is to be kept and sent again.
    // One rule for results sent alone and for those written with a FETCH.
    bool keep_refused(const PendingResult& result, const protocol::ServerError& refusal) const;
};

} // namespace faktory_host::worker
