// The processor loop: deliver, fetch, run, record.
#include "worker/processor.hpp"

#include <random>
#include <sstream>

#include <Poco/JSON/Object.h>

#include "protocol/errors.hpp"
#include "worker/engine_context.hpp"
#include "worker/worker_connection.hpp"

namespace faktory_host::worker {

using namespace std::chrono_literals;

namespace {

std::string custom_json(const protocol::Job& job) {
    auto custom = job.custom();
    if (!custom) return "{}";
    std::ostringstream out;
    custom->stringify(out);
    return out.str();
}

plugins::JobInput job_input(const protocol::Job& job) {
    // The whole job is serialised only if a handler asks for it (SDK 1.1 accessors).
    return plugins::JobInput{job.jid(),       job.jobtype(),     job.queue(),
                             job.args_json(), custom_json(job), job.retry_count(),
                             [job] { return job.to_json(); }};
}

} // namespace

Processor::Processor(std::shared_ptr<EngineContext> context, const config::PoolConfig& pool, unsigned index)
    : context_(std::move(context)), pool_(pool.name), index_(index), picker_(pool.queues, std::random_device{}()) {}

std::string Processor::name() const { return "processor " + pool_ + "/" + std::to_string(index_); }

void Processor::run(std::stop_token stop) {
    auto& ctx = *context_;
    WorkerConnection connection(ctx, name());
    while (!stop.stop_requested()) {
        auto* client = connection.ensure(stop);
        if (!client) continue;
        try {
            ctx.deliver_results(*client);
            if (!ctx.lifecycle.may_fetch()) {
                ctx.wakeup.wait_for(100ms, stop);
                continue;
            }
            std::optional<protocol::Job> job;
            ctx.busy.fetch_started();
            try {
                job = client->fetch(picker_.next());
            } catch (...) {
                ctx.busy.fetch_ended();
                throw;
            }
            if (!job) {
                ctx.busy.fetch_ended();
                continue;
            }
            plugins::JobInput input;
            try {
                input = job_input(*job);
            } catch (const std::exception& e) {
                ctx.busy.fetch_ended();
                ctx.logger.error(name() + ": fetched a job the host cannot read, leaving it to its reservation: " +
                                 e.what() + ": " + job->to_json().substr(0, 200));
                continue;
            }
            run_job(input);
        } catch (const protocol::ServerError& e) {
            // The server answered but refused (e.g. FETCH while it holds us quiet): not a broken link.
            ctx.logger.warning(name() + ": " + e.what());
            ctx.wakeup.wait_for(1000ms, stop);
        } catch (const protocol::FaktoryError& e) {
            connection.broken(e, stop);
        } catch (const std::exception& e) {
            // A bug of ours, not the server's: keep the thread alive, but do not spin.
            ctx.logger.error(name() + ": unexpected error: " + e.what());
            ctx.wakeup.wait_for(1000ms, stop);
        }
    }
    // Results of the last job go out before the connection ENDs; what fails stays in the ledger.
    if (auto* client = connection.current()) {
        try {
            ctx.deliver_results(*client);
        } catch (const std::exception& e) {
            ctx.logger.debug(name() + ": could not deliver results before exiting: " + e.what());
        }
    }
    connection.end();
    finished_ = true;
    ctx.wakeup.notify();
}

void Processor::run_job(const plugins::JobInput& input) {
    auto& ctx = *context_;
    auto running = ctx.busy.job_started(pool_, index_, input.jid, input.jobtype, ctx.job_limit(input.jobtype));

    if (ctx.lifecycle.state() == LifecycleState::terminating) {
        // Fetched in the last moments before the terminate: hand it back for a retry rather than start it now.
        ctx.busy.job_ended(running);
        ctx.log_job(Poco::Message::PRIO_WARNING, input.jid, input.jobtype, "fetched during shutdown; FAILing it for a retry");
        ctx.ledger.add({input.jid, input.jobtype,
                        protocol::FailureReport{"Shutdown", "the host was shutting down when the job arrived; it will be retried", {}}});
        return;
    }

    ctx.log_job(Poco::Message::PRIO_DEBUG, input.jid, input.jobtype, "started (" + name() + ")");
    plugins::JobOutcome outcome;
    {
        // The snapshot keeps this generation loaded until the handler returns, whatever reloads meanwhile.
        auto generation = ctx.generation.current();
        outcome = generation->run(input, running->stop.get_token(), ctx.services);
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - running->started);
    const auto end = ctx.busy.job_ended(running);
    if (end.failed_by_shutdown) {
        ctx.log_job(Poco::Message::PRIO_WARNING, input.jid, input.jobtype,
                    "returned after " + std::to_string(elapsed.count()) + " ms, after the shutdown already FAILed it; result dropped");
        return;
    }

    PendingResult result{input.jid, input.jobtype, std::nullopt};
    if (end.timed_out) {
        result.failure = protocol::FailureReport{
            "JobTimeout",
            "job exceeded its time limit of " + std::to_string(running->limit->count()) + " ms (worker.job_timeout)",
            {}};
    } else if (outcome.status == plugins::JobOutcome::Status::fail) {
        result.failure = protocol::FailureReport{outcome.errtype, outcome.message, outcome.backtrace};
    }
    if (result.failure)
        ctx.log_job(Poco::Message::PRIO_WARNING, input.jid, input.jobtype,
                    "failed after " + std::to_string(elapsed.count()) + " ms: " + result.failure->errtype + ": " +
                        result.failure->message);
    else
        ctx.log_job(Poco::Message::PRIO_INFORMATION, input.jid, input.jobtype,
                    "done in " + std::to_string(elapsed.count()) + " ms");
    ctx.ledger.add(std::move(result));
}

} // namespace faktory_host::worker
