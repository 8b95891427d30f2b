// WorkerHost: wires the engine together and runs its control loop on the
// caller's thread (run()): per-job timeouts, drain -> reload, terminate.
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

#include "protocol/errors.hpp"
#include "worker/engine_context.hpp"
#include "worker/heartbeat.hpp"
#include "worker/processor.hpp"
#include "worker/reconnect_backoff.hpp"

namespace faktory_host::worker {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// How long threads get to finish after the final FAILs before they are left behind.
constexpr auto exit_grace = 3s;
constexpr auto control_poll = 50ms;

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

void order_reload(EngineContext& ctx, const std::string& why) {
    if (!ctx.lifecycle.begin_drain()) return;
    ctx.logger.information("quiet (" + why + "): draining wid " + ctx.identity.wid() + " before a reload");
    ctx.wakeup.notify();
}

void order_quiet(EngineContext& ctx, const std::string& why) {
    if (!ctx.lifecycle.quiet()) return;
    ctx.logger.information("quiet (" + why + "): wid " + ctx.identity.wid() + " fetches nothing more until terminated");
    ctx.wakeup.notify();
}

void on_server_order(EngineContext& ctx, const std::string& wid, protocol::WorkerState order) {
    if (wid != ctx.identity.wid()) return;  // about an identity a reload already retired
    if (order == protocol::WorkerState::terminate)
        order_terminate(ctx, "the server said terminate");
    else if (ctx.config.worker.on_quiet == config::WorkerConfig::OnQuiet::reload)
        order_reload(ctx, "the server said quiet");
    else
        order_quiet(ctx, "the server said quiet, worker.on_quiet: stay");
}

} // namespace

struct WorkerHost::Impl {
    std::shared_ptr<EngineContext> ctx;
    std::vector<Worker<Processor>> processors;
    std::optional<Worker<Heartbeat>> heartbeat;
    std::atomic<bool> ran{false};

    Impl(config::Config config, protocol::ClientOptions connection)
        : ctx(std::make_shared<EngineContext>(std::move(config), std::move(connection))) {}

    int run();
    void connect_first();
    std::shared_ptr<const plugins::PluginGeneration> load_generation(bool first);
    void start_threads();
    void reload();
    int finish_terminate();
    void leave_threads(Clock::time_point deadline);
    void fire_job_timeouts();

    protocol::WorkerIdentity fresh_identity() const {
        protocol::WorkerIdentity identity;
        identity.hostname = Poco::Environment::nodeName();
        identity.wid = new_wid();
        identity.pid = static_cast<int>(Poco::Process::id());
        identity.labels = ctx->config.worker.labels;
        return identity;
    }
};

std::shared_ptr<const plugins::PluginGeneration> WorkerHost::Impl::load_generation(bool first) {
    const auto& cfg = ctx->config.plugins;
    plugins::LoaderOptions options{cfg.dir, cfg.check_permissions, cfg.config_json, cfg.sha256_pins};
    options.services = plugin_services(ctx);
    options.middleware_order = cfg.middleware;
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
    ReconnectBackoff backoff;
    bool warned = false;
    while (ctx->lifecycle.state() != LifecycleState::terminating) {
        try {
            ctx->producers.with_client([](protocol::Client&) {});
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
    for (const auto& job : ctx->busy.expire_overdue(Clock::now()))
        ctx->log_job(Poco::Message::PRIO_WARNING, job->jid, job->jobtype,
                     "exceeded worker.job_timeout of " + std::to_string(job->limit->count()) +
                         " ms: cancelling; it will be FAILed as JobTimeout when it returns");
}

int WorkerHost::Impl::run() {
    if (ran.exchange(true)) throw std::logic_error("WorkerHost::run() may be called only once");
    auto& lifecycle = ctx->lifecycle;
    if (lifecycle.state() == LifecycleState::terminating) {
        lifecycle.stop();
        return 0;
    }
    try {
        ctx->generation.replace(load_generation(true));
        ctx->identity.assume(fresh_identity());
        connect_first();
    } catch (...) {
        lifecycle.terminate();
        lifecycle.stop();
        throw;
    }
    lifecycle.start();  // refused only when a terminate came meanwhile; the loop below handles that
    start_threads();
    ctx->logger.information("worker running: wid " + ctx->identity.wid() + ", generation " +
                            std::to_string(ctx->generation.current()->number()) + ", jobtypes " +
                            join_names(ctx->generation.current()->jobtypes()));

    std::optional<Clock::time_point> drain_started;
    while (true) {
        const auto state = lifecycle.state();
        fire_job_timeouts();
        if (state == LifecycleState::terminating) return finish_terminate();
        if (state == LifecycleState::draining) {
            if (!drain_started) drain_started = Clock::now();
            const bool timed_out = Clock::now() - *drain_started >= ctx->config.worker.shutdown_timeout;
            if (ctx->busy.idle() || timed_out) {
                if (timed_out && !ctx->busy.idle())
                    ctx->logger.warning("drain still has " + std::to_string(ctx->busy.running()) +
                                        " job(s) running after worker.shutdown_timeout; reloading anyway, they finish "
                                        "on the old generation");
                reload();
                drain_started.reset();
            }
        } else {
            drain_started.reset();
        }
        lifecycle.wait_for_change(state, control_poll);
    }
}

void WorkerHost::Impl::reload() {
    auto& lifecycle = ctx->lifecycle;
    if (!lifecycle.begin_reload()) return;  // quieted or terminated meanwhile
    const auto old_wid = ctx->identity.wid();
    const auto old_generation = ctx->generation.current();
    // Retiring the wid makes every connection END it; they HELLO again once the new one is assumed.
    ctx->identity.retire();
    ctx->wakeup.notify();

    std::shared_ptr<const plugins::PluginGeneration> next;
    try {
        next = load_generation(false);
    } catch (const std::exception& e) {
        ctx->logger.error("reload: cannot load plugins from " + ctx->config.plugins.dir.string() + ": " + e.what() +
                          "; keeping the previous generation");
    }
    if (next) ctx->generation.replace(next);
    const auto serving = ctx->generation.current();

    ctx->identity.assume(fresh_identity());
    lifecycle.finish_reload();
    ctx->wakeup.notify();
    const auto new_wid = ctx->identity.wid();
    if (next)
        ctx->logger.information("generation " + std::to_string(old_generation->number()) + " -> " +
                                std::to_string(serving->number()) + ", wid " + old_wid + " -> " + new_wid +
                                ", jobtypes " + join_names(serving->jobtypes()));
    else
        ctx->logger.warning("generation " + std::to_string(serving->number()) + " kept (reload failed), wid " +
                            old_wid + " -> " + new_wid + ", jobtypes " + join_names(serving->jobtypes()));
}

int WorkerHost::Impl::finish_terminate() {
    const auto ordered = ctx->lifecycle.terminated_at().value_or(Clock::now());
    const auto timeout = ctx->config.worker.shutdown_timeout;
    const auto jobs_deadline = ordered + timeout;
    while (ctx->busy.running() > 0 && Clock::now() < jobs_deadline) {
        fire_job_timeouts();
        ctx->wakeup.wait_for(control_poll, {});
    }

    // FAIL what is still running, through connections other than the busy processors' own.
    for (const auto& job : ctx->busy.claim_for_shutdown()) {
        ctx->log_job(Poco::Message::PRIO_WARNING, job->jid, job->jobtype,
                     "still running after worker.shutdown_timeout: cancelled and FAILed as Shutdown");
        ctx->ledger.add({job->jid, job->jobtype,
                         protocol::FailureReport{"Shutdown",
                                                 "the host was shutting down: the job was still running after "
                                                 "worker.shutdown_timeout (" +
                                                     std::to_string(timeout.count()) + " ms); it will be retried",
                                                 {}}});
    }
    // Idle processors deliver these FAILs on their next pass or on their way out.
    ctx->wakeup.notify();
    for (auto& p : processors) p.thread.request_stop();
    if (heartbeat) heartbeat->thread.request_stop();
    leave_threads(Clock::now() + exit_grace);

    // Whatever is left (no processor was connected) goes out on a producer connection.
    if (!ctx->ledger.empty()) {
        try {
            ctx->producers.with_client([&](protocol::Client& client) { ctx->deliver_results(client); });
        } catch (const std::exception& e) {
            ctx->logger.error("shutdown: " + std::to_string(ctx->ledger.size()) +
                              " result(s) could not be delivered; the server will retry those jobs when their "
                              "reservation expires: " + e.what());
        }
    }
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

int WorkerHost::run() { return impl_->run(); }

void WorkerHost::request_reload() { order_reload(*impl_->ctx, "reload requested"); }
void WorkerHost::request_quiet() { order_quiet(*impl_->ctx, "quiet requested"); }
void WorkerHost::request_terminate() { order_terminate(*impl_->ctx, "terminate requested"); }

std::string WorkerHost::describe_busy() const { return impl_->ctx->busy.describe(Clock::now()); }
LifecycleState WorkerHost::state() const { return impl_->ctx->lifecycle.state(); }
std::string WorkerHost::wid() const { return impl_->ctx->identity.wid(); }

} // namespace faktory_host::worker
