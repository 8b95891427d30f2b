// WorkerHost: wires the engine together and runs its control loop on the
// caller's thread (run()): per-job timeouts, reloads, terminate.
//
// A reload stops new FETCHes under the old wid, re-reads the configuration,
// loads the new generation off to the side while running jobs go on, then
// publishes the new generation and a new wid in one step. From there each
// processor moves on its own, at its next pass through its loop: an idle one
// at once, a busy one after its job (run on the generation it started with)
// and its result went out. The old wid ends with its last connection.
//
// Threads: one per processor (each its own connection), one heartbeat, and
// the caller's. Processor threads still stuck inside plugin code at exit are
// detached, not joined: they keep the shared engine state and their
// generation alive (never unloaded under a running handler), and the process
// exit ends them.
#include "worker/worker_host.hpp"

#include <optional>
#include <thread>
#include <vector>

#include <Poco/Environment.h>
#include <Poco/Process.h>

#include "crash/crash_line.hpp"
#include "crash/exit_watch.hpp"
#include "metrics/host_counters.hpp"
#include "protocol/errors.hpp"
#include "worker/config_reload.hpp"
#include "worker/crash_recovery.hpp"
#include "worker/engine_metrics.hpp"
#include "worker/engine_context.hpp"
#include "worker/heartbeat.hpp"
#include "worker/loader_options.hpp"
#include "worker/processor.hpp"
#include "worker/reconnect_backoff.hpp"

namespace faktory_host::worker {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// How long threads get to finish after the final FAILs before they are left behind.
constexpr auto exit_grace = 3s;
constexpr auto control_poll = 50ms;
// A server answering every BEAT with quiet must not make the host reload in a loop.
constexpr auto min_reload_spacing = 1s;

template <typename Thing>
struct Worker {
    std::shared_ptr<Thing> thing;
    std::jthread thread;
};

std::string join_names(const std::vector<std::string>& names) {
    std::string out = "[";
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out + "]";
}

// Orders from the signal thread or the heartbeat. Free functions over the
// shared context, so a heartbeat thread left behind at exit never touches a
// destroyed WorkerHost.
void order_terminate(EngineContext& ctx, const std::string& why) {
    if (!ctx.lifecycle.terminate()) return;
    ctx.logger.information("terminating (" + why + ")");
    ctx.wakeup.notify();
}

// Asks the control loop for a reload; says why when none can start now.
void order_reload(EngineContext& ctx, const std::string& why, bool from_server) {
    const auto state = ctx.lifecycle.request_reload();
    std::string refusal;
    switch (state) {
    case LifecycleState::running: break;
    case LifecycleState::reloading: refusal = "a reload is already under way"; break;
    case LifecycleState::quiet:
        refusal = "the worker is quiet (SIGTSTP, or the server said quiet with worker.on_quiet: stay) and stays "
                  "quiet until terminated";
        break;
    case LifecycleState::starting: refusal = "the host is still starting"; break;
    case LifecycleState::terminating:
    case LifecycleState::stopped: refusal = "the host is terminating"; break;
    }
    if (refusal.empty()) {
        ctx.logger.information("reload requested (" + why + ")");
        ctx.wakeup.notify();
    } else if (from_server) {
        // Faktory repeats a quiet on every BEAT of the wid until it is gone: not news.
        ctx.logger.debug("no reload (" + why + "): " + refusal);
    } else {
        ctx.logger.warning("no reload (" + why + "): " + refusal);
    }
}

void order_quiet(EngineContext& ctx, const std::string& why) {
    if (!ctx.lifecycle.quiet()) return;
    ctx.logger.information("quiet (" + why + "): wid " + ctx.identity.wid() + " fetches nothing more until terminated");
    ctx.wakeup.notify();
}

void on_server_order(EngineContext& ctx, const std::string& wid, protocol::WorkerState order) {
    if (wid != ctx.identity.wid()) return;  // about a wid a reload already replaced
    if (order == protocol::WorkerState::terminate)
        order_terminate(ctx, "the server said terminate");
    else if (ctx.settings.current()->worker.on_quiet == config::WorkerConfig::OnQuiet::reload)
        order_reload(ctx, "the server said quiet for wid " + wid, true);
    else
        order_quiet(ctx, "the server said quiet, worker.on_quiet: stay");
}

} // namespace

struct WorkerHost::Impl {
    std::shared_ptr<EngineContext> ctx;
    std::vector<Worker<Processor>> processors;
    std::optional<Worker<Heartbeat>> heartbeat;
    std::atomic<bool> ran{false};
    ConfigSource config_source;
    std::optional<Clock::time_point> last_reload;
    bool reload_deferred = false;

    Impl(config::Config config, protocol::ClientOptions connection)
        : ctx(std::make_shared<EngineContext>(std::move(config), std::move(connection))) {}

    int run();
    void connect_first();
    std::shared_ptr<const plugins::PluginGeneration> load_generation(bool first, const config::PluginsConfig& cfg);
    void start_threads();
    std::chrono::milliseconds reload_when_due();
    void reload();
    std::shared_ptr<const config::Config> reread_config(const config::Config& running,
                                                        std::vector<std::string>& changed);
    int finish_terminate();
    void leave_threads(Clock::time_point deadline);
    void fire_job_timeouts();
    std::vector<std::string> pool_names() const {
        std::vector<std::string> names;
        for (const auto& pool : ctx->config.worker.pools) names.push_back(pool.name);
        return names;
    }

    protocol::WorkerIdentity fresh_identity() const {
        protocol::WorkerIdentity identity;
        const auto& configured = ctx->config.worker.hostname;
        identity.hostname = configured.empty() ? Poco::Environment::nodeName() : configured;
        identity.wid = new_wid();
        identity.pid = static_cast<int>(Poco::Process::id());
        identity.labels = ctx->settings.current()->worker.labels;
        return identity;
    }
};

std::shared_ptr<const plugins::PluginGeneration> WorkerHost::Impl::load_generation(bool first,
                                                                                 const config::PluginsConfig& cfg) {
    auto options = loader_options(cfg);
    options.services = plugin_services(ctx);
    plugins::LoadReport report;
    auto generation = plugins::PluginGeneration::load(options, report);
    for (const auto& error : report.errors)
        ctx->logger.error("plugin " + error.file + " not loaded: " + error.message);
    for (const auto& plugin : report.plugins)
        ctx->logger.information("plugin " + plugin.name + " " + plugin.version + " (" + plugin.file +
                                ") handles " + join_names(plugin.jobtypes));
    if (first) {
        // Nothing to fall back on: serve what loaded; the errors above say what did not.
        if (generation->jobtypes().empty())
            ctx->logger.warning("no jobtypes loaded from " + cfg.dir.string() + ": every job fetched will FAIL");
        return generation;
    }
    if (!report.errors.empty()) {
        ctx->logger.error("reload: " + std::to_string(report.errors.size()) + " plugin(s) failed to load (" +
                          std::to_string(report.plugins.size()) +
                          " loaded); keeping the previous generation so no handler goes missing");
        return nullptr;
    }
    return generation;
}

void WorkerHost::Impl::connect_first() {
    // A wrong password will not fix itself: fail now with the server's words.
    // A server not up yet may well come: retry until it does or we are told to stop.
    // A terminate cuts an attempt under way (a server that never greets), not only the wait between.
    ReconnectBackoff backoff;
    bool warned = false;
    auto options = ctx->connection;
    options.stop_connecting = ctx->lifecycle.terminate_requested();
    while (ctx->lifecycle.state() != LifecycleState::terminating) {
        try {
            protocol::Client probe(options);
            probe.connect();
            probe.end();
            if (warned) ctx->logger.information("connected to Faktory at " + ctx->connection.url.masked());
            return;
        } catch (const protocol::AuthenticationError&) {
            throw;
        } catch (const protocol::FaktoryError& e) {
            if (!warned)
                ctx->logger.warning("cannot reach Faktory at " + ctx->connection.url.masked() + ": " + e.what() +
                                    "; retrying with backoff");
            warned = true;
            ctx->wakeup.wait_for(backoff.next_delay(), {});
        }
    }
}

void WorkerHost::Impl::start_threads() {
    for (const auto& pool : ctx->config.worker.pools) {
        for (unsigned i = 0; i < pool.concurrency; ++i) {
            auto processor = std::make_shared<Processor>(ctx, pool, i);
            std::jthread thread([processor](std::stop_token stop) { processor->run(stop); });
            processors.push_back({processor, std::move(thread)});
        }
    }
    auto beat = std::make_shared<Heartbeat>(ctx, [ctx = ctx](const std::string& wid, protocol::WorkerState order) {
        on_server_order(*ctx, wid, order);
    });
    heartbeat.emplace(Worker<Heartbeat>{beat, std::jthread([beat](std::stop_token stop) { beat->run(stop); })});
}

void WorkerHost::Impl::fire_job_timeouts() {
    const auto now = Clock::now();
    for (const auto& job : ctx->busy.near_reservation_end(now))
        ctx->log_job(Poco::Message::PRIO_WARNING, job->jid, job->jobtype,
                     "has run for 80% of its reservation (" + std::to_string(job->reservation.count() / 1000) +
                         " s); the server hands it to another worker when the reservation ends");
    for (const auto& job : ctx->busy.expire_overdue(now))
        ctx->log_job(Poco::Message::PRIO_WARNING, job->jid, job->jobtype,
                     "exceeded its time limit, " + job->describe_limit() +
                         ": cancelling; it will be FAILed as JobTimeout when it returns");
}

int WorkerHost::Impl::run() {
    if (ran.exchange(true)) throw std::logic_error("WorkerHost::run() may be called only once");
    auto& lifecycle = ctx->lifecycle;
    if (lifecycle.state() == LifecycleState::terminating) {
        lifecycle.stop();
        return 0;
    }
    publish_engine_view(ctx);
    try {
        prepare_crash_journal(*ctx);  // the state dir lock and the crash handlers, before any plugin code runs
        ctx->generation.replace(load_generation(true, ctx->settings.current()->plugins));
        ctx->identity.assume(fresh_identity());
        connect_first();
        recover_crashed_jobs(*ctx);  // FAILs for jobs a crashed predecessor was running, before any FETCH
    } catch (...) {
        lifecycle.terminate();
        lifecycle.stop();
        throw;
    }
    // Refused only when a terminate came meanwhile; the loop below handles that.
    lifecycle.start(ctx->identity.current().epoch);
    start_threads();
    ctx->logger.information("worker running: wid " + ctx->identity.wid() + ", generation " +
                            std::to_string(ctx->generation.current()->number()) + ", jobtypes " +
                            join_names(ctx->generation.current()->jobtypes()));

    while (true) {
        const auto seen = ctx->wakeup.version();
        const auto state = lifecycle.state();
        fire_job_timeouts();
        if (state == LifecycleState::terminating) return finish_terminate();
        // run --max-jobs / --until-empty: the run ends by itself, as an ordinary terminate.
        if (auto why = ctx->limits.finished_because(pool_names(), ctx->busy.running(), Clock::now()); !why.empty())
            order_terminate(*ctx, why);
        const auto wait = state == LifecycleState::running ? reload_when_due() : control_poll;
        ctx->wakeup.wait_since(seen, wait, {});
    }
}

// Runs a requested reload unless the previous one began less than
// min_reload_spacing ago; returns how long the control loop may wait.
std::chrono::milliseconds WorkerHost::Impl::reload_when_due() {
    if (!ctx->lifecycle.reload_requested()) return control_poll;
    const auto now = Clock::now();
    if (last_reload && now < *last_reload + min_reload_spacing) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*last_reload + min_reload_spacing - now);
        if (!reload_deferred) ctx->logger.information("reload waits " + std::to_string(left.count()) +
                                                      " ms: at most one reload starts per second");
        reload_deferred = true;
        return std::min<std::chrono::milliseconds>(left, control_poll);
    }
    last_reload = now;
    reload_deferred = false;
    reload();
    return std::chrono::milliseconds::zero();
}

std::shared_ptr<const config::Config> WorkerHost::Impl::reread_config(const config::Config& running,
                                                                     std::vector<std::string>& changed) {
    if (!config_source.read) return nullptr;
    try {
        auto reload = reconcile(running, config_source.read());
        if (!reload.need_restart.empty())
            ctx->logger.warning("reload: " + join_keys(reload.need_restart) + " changed in the configuration file; " +
                                (reload.need_restart.size() == 1 ? "it needs" : "they need") +
                                " a restart and keep their running values until then");
        changed = std::move(reload.changed);
        return std::make_shared<const config::Config>(std::move(reload.effective));
    } catch (const std::exception& e) {
        ctx->logger.error("reload: the configuration file is not valid, the running configuration stays in force: " +
                          std::string(e.what()));
        return nullptr;
    }
}

void WorkerHost::Impl::reload() {
    auto& lifecycle = ctx->lifecycle;
    if (!lifecycle.begin_reload()) return;  // quieted or terminated meanwhile
    ctx->wakeup.notify();                   // BEATs report quiet for the old wid from now on
    metrics::reload_started();
    const auto started = Clock::now();
    const auto old_wid = ctx->identity.wid();
    const auto old_generation = ctx->generation.current();
    const auto running_config = ctx->settings.current();

    std::vector<std::string> changed;
    const auto next_config = reread_config(*running_config, changed);
    const auto& plugins_config = next_config ? next_config->plugins : running_config->plugins;
    ctx->logger.information("reload: wid " + old_wid + " fetches nothing more; loading plugins from " +
                            plugins_config.dir.string() + " while " + std::to_string(ctx->busy.running()) +
                            " running job(s) go on");

    // Off to the side: the old generation serves every running job until this one is published.
    std::shared_ptr<const plugins::PluginGeneration> next;
    try {
        next = load_generation(false, plugins_config);
    } catch (const std::exception& e) {
        ctx->logger.error("reload: cannot load plugins from " + plugins_config.dir.string() + ": " + e.what() +
                          "; keeping the previous generation");
    }
    if (next) {
        ctx->generation.replace(next);
        if (next_config) {
            ctx->settings.replace(next_config);
            if (config_source.applied) config_source.applied(*next_config);
            // The fatal-signal line follows the log format the operator chose.
            crash::set_log_format_json(next_config->log.format == config::LogConfig::Format::json);
            if (!changed.empty())
                ctx->logger.information("reload: " + join_keys(changed) + " changed in the configuration file and " +
                                        "take effect with generation " + std::to_string(next->number()));
        }
    } else if (!changed.empty()) {
        ctx->logger.warning("reload: the configuration changes (" + join_keys(changed) +
                            ") wait for a generation that loads");
    }
    metrics::reload_finished(next != nullptr);
    const auto serving = ctx->generation.current();

    // One step: the new wid, and permission to fetch under it. Each processor
    // moves when it next passes through its loop; the old wid ends with the
    // last connection still under it.
    ctx->identity.assume(fresh_identity());
    const auto still_fetching = lifecycle.fetches_in_flight();
    lifecycle.finish_reload(ctx->identity.current().epoch);
    ctx->wakeup.notify();
    const auto new_wid = ctx->identity.wid();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    const auto moving = " in " + std::to_string(took.count()) + " ms; " + std::to_string(ctx->busy.running()) +
                        " job(s) finish under the old wid, " + std::to_string(still_fetching) +
                        " FETCH(es) out under it run what they get on the new generation";
    if (next)
        ctx->logger.information("generation " + std::to_string(old_generation->number()) + " -> " +
                                std::to_string(serving->number()) + ", wid " + old_wid + " -> " + new_wid +
                                ", jobtypes " + join_names(serving->jobtypes()) + moving);
    else
        ctx->logger.warning("generation " + std::to_string(serving->number()) + " kept (reload failed), wid " +
                            old_wid + " -> " + new_wid + ", jobtypes " + join_names(serving->jobtypes()) + moving);
}

int WorkerHost::Impl::finish_terminate() {
    const auto ordered = ctx->lifecycle.terminated_at().value_or(Clock::now());
    const auto timeout = ctx->config.worker.shutdown_timeout;
    const auto jobs_deadline = ordered + timeout;
    while (ctx->busy.running() > 0 && Clock::now() < jobs_deadline) {
        fire_job_timeouts();
        ctx->wakeup.wait_for(control_poll, {});
    }

    // Settle what is still running, through connections other than the busy processors' own:
    // FAIL it for a retry only when it has one left; a FAIL would discard (retry: 0) or bury
    // (retry: -1, last retry) the others, so those are given back untouched instead.
    for (const auto& job : ctx->busy.claim_for_shutdown()) {
        if (job->retry_left) {
            ctx->log_job(Poco::Message::PRIO_WARNING, job->jid, job->jobtype,
                         "still running after worker.shutdown_timeout: cancelled and FAILed as Shutdown (it has a "
                         "retry left)");
            ctx->ledger.add(PendingResult::fail(job->jid, job->jobtype,
                             protocol::FailureReport{"Shutdown",
                                                     "the host was shutting down: the job was still running after "
                                                     "worker.shutdown_timeout (" +
                                                         std::to_string(timeout.count()) + " ms); it will be retried",
                                                     {}}));
        } else {
            ctx->log_job(Poco::Message::PRIO_WARNING, job->jid, job->jobtype,
                         "still running after worker.shutdown_timeout: cancelled and given back (ACK, then PUSH the "
                         "same job), since a FAIL would use up its last retry");
            ctx->ledger.add(PendingResult::give_back(job->jid, job->jobtype, job->payload));
        }
    }
    // Idle processors deliver these on their next pass or on their way out.
    ctx->wakeup.notify();
    for (auto& p : processors) p.thread.request_stop();
    if (heartbeat) heartbeat->thread.request_stop();
    leave_threads(Clock::now() + exit_grace);

    // Whatever is left (no processor was connected, or the server refused) goes out on a producer
    // connection, with the ledger's backoff, until the exit grace runs out.
    const auto results_deadline = Clock::now() + exit_grace;
    std::string last_error;
    while (!ctx->ledger.empty() && Clock::now() < results_deadline) {
        std::chrono::milliseconds hold{0};
        try {
            ctx->producers.with_client([&](protocol::Client& client) { hold = ctx->deliver_results(client); });
        } catch (const std::exception& e) {
            last_error = e.what();
            hold = 200ms;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(results_deadline - Clock::now());
        if (hold.count() > 0) ctx->wakeup.wait_for(std::min(hold, std::max(left, 0ms)), {});
    }
    if (!ctx->ledger.empty()) {
        ctx->logger.error("shutdown: " + std::to_string(ctx->ledger.size()) +
                          " result(s) could not be delivered" + (last_error.empty() ? "" : ": " + last_error));
        // A give-back whose ACK went through holds the only copy of its job: say what it was.
        for (const auto& result : ctx->ledger.entries())
            if (result.kind() == PendingResult::Kind::give_back && result.reservation_released)
                ctx->log_job(Poco::Message::PRIO_ERROR, result.jid, result.jobtype,
                             "was ACKed to be given back but could not be PUSHed again; the job is: " +
                                 result.give_back_payload);
    }
    save_undelivered_results(*ctx);
    ctx->producers.close_all();
    ctx->lifecycle.stop();
    ctx->logger.information("stopped");
    return 0;
}

void WorkerHost::Impl::leave_threads(Clock::time_point deadline) {
    auto all_finished = [&] {
        for (auto& p : processors)
            if (!p.thing->finished()) return false;
        return !heartbeat || heartbeat->thing->finished();
    };
    while (!all_finished() && Clock::now() < deadline) ctx->wakeup.wait_for(control_poll, {});
    for (auto& p : processors) {
        if (!p.thread.joinable()) continue;
        if (p.thing->finished()) {
            p.thread.join();
        } else {
            ctx->logger.warning(p.thing->name() + " is still inside a handler at exit; leaving it behind (its "
                                "plugin generation stays loaded)");
            p.thread.detach();
        }
    }
    if (heartbeat && heartbeat->thread.joinable()) {
        if (heartbeat->thing->finished())
            heartbeat->thread.join();
        else
            heartbeat->thread.detach();
    }
}

WorkerHost::WorkerHost(config::Config config, protocol::ClientOptions connection)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(connection))) {}

WorkerHost::~WorkerHost() {
    // run() normally leaves no thread behind; this covers a run() that threw midway.
    for (auto& p : impl_->processors) p.thread.request_stop();
    if (impl_->heartbeat) impl_->heartbeat->thread.request_stop();
    impl_->leave_threads(Clock::now() + exit_grace);
}

int WorkerHost::run() {
    try {
        const int code = impl_->run();
        // The shutdown FAILed or gave back every job still running: none may be FAILed again as crashed.
        impl_->ctx->journal.clear_all();
        crash::set_orderly_exit(true);
        return code;
    } catch (...) {
        crash::set_orderly_exit(true);
        throw;
    }
}

void WorkerHost::set_config_source(ConfigSource source) { impl_->config_source = std::move(source); }
void WorkerHost::request_reload() { order_reload(*impl_->ctx, "operator request: SIGHUP", false); }
void WorkerHost::request_quiet() { order_quiet(*impl_->ctx, "quiet requested"); }
void WorkerHost::request_terminate() { order_terminate(*impl_->ctx, "terminate requested"); }

std::string WorkerHost::describe_busy() const { return impl_->ctx->busy.describe(Clock::now()); }
LifecycleState WorkerHost::state() const { return impl_->ctx->lifecycle.state(); }
std::string WorkerHost::wid() const { return impl_->ctx->identity.wid(); }

} // namespace faktory_host::worker
