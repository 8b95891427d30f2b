// The processor loop: deliver, fetch, run, record.
#include "worker/processor.hpp"

#include <random>

#include "metrics/job_counters.hpp"
#include "protocol/errors.hpp"
#include "protocol/resp.hpp"
#include "worker/engine_context.hpp"
#include "worker/fetch_window_hook.hpp"
#include "worker/job_input.hpp"
#include "worker/job_policy.hpp"
#include "worker/worker_connection.hpp"

namespace faktory_host::worker {

using namespace std::chrono_literals;

Processor::Processor(std::shared_ptr<EngineContext> context, const config::PoolConfig& pool, unsigned index)
    : context_(std::move(context)), pool_(pool.name), index_(index), picker_(pool.queues, std::random_device{}()) {}

std::string Processor::name() const { return "processor " + pool_ + "/" + std::to_string(index_); }

namespace {
// Results written ahead of one FETCH at most. Usually one (the job just run);
// the bound keeps a backlog from growing one write (and the replies we read
// only after it) without limit.
constexpr std::size_t max_results_per_write = 64;
} // namespace

void Processor::run(std::stop_token stop) {
    auto& ctx = *context_;
    WorkerConnection connection(ctx, name());
    // Results go out alone when no FETCH follows them; the ledger's backoff applies.
    const auto deliver_alone = [&](protocol::Client& client) {
        if (!ctx.ledger.empty()) ctx.deliver_results(client);
    };
    while (!stop.stop_requested()) {
        // After a reload this delivers what is owed on the old wid's connection,
        // ENDs it and says HELLO under the new one.
        auto* client = connection.ensure(stop, deliver_alone);
        if (!client) continue;
        try {
            // A refused or lost result is re-sent alone before any FETCH is written.
            if (const auto hold = ctx.ledger.held_for(); hold.count() > 0) {
                ctx.wakeup.wait_for(hold, stop);
                continue;
            }
            if (ctx.ledger.has_result_to_send_alone()) {
                if (const auto hold = ctx.deliver_results(*client); hold.count() > 0) {
                    ctx.wakeup.wait_for(hold, stop);  // refused: nothing is fetched before it is delivered
                    continue;
                }
            }
            if (fetch_window_hook) fetch_window_hook(connection.wid());
            // "May I fetch?" and "a fetch has started" in one step: once a reload
            // began, no FETCH starts under the wid it replaces.
            const auto seen = ctx.wakeup.version();
            const auto permit = ctx.lifecycle.begin_fetch(connection.epoch());
            if (permit == FetchPermit::outdated) continue;  // ensure() delivers, then moves to the new wid
            if (permit == FetchPermit::held) {
                deliver_alone(*client);
                ctx.wakeup.wait_since(seen, 100ms, stop);
                continue;
            }
            if (!ctx.limits.claim_fetch()) {  // run --max-jobs: the budget is spent
                ctx.lifecycle.end_fetch();
                deliver_alone(*client);
                ctx.wakeup.wait_for(100ms, stop);
                continue;
            }
            auto results = ctx.ledger.take_for_fetch(max_results_per_write);
            if (!results) {  // a refusal came in meanwhile: that re-send goes first, on the next pass
                ctx.lifecycle.end_fetch();
                ctx.limits.fetch_failed();
                continue;
            }
            std::optional<protocol::FetchedJob> job;
            ctx.busy.fetch_started();
            const auto fetch_began = std::chrono::steady_clock::now();
            try {
                job = deliver_and_fetch(*client, std::move(*results));
                metrics::record_fetch_wait(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - fetch_began).count());
            } catch (...) {
                ctx.lifecycle.end_fetch();
                ctx.limits.fetch_failed();
                ctx.busy.fetch_ended();
                throw;
            }
            ctx.lifecycle.end_fetch();
            connection.proved();
            if (!job) {
                ctx.limits.fetch_came_back_empty(pool_);
                ctx.busy.fetch_ended();
                continue;
            }
            // Even when a result written with the FETCH was refused: the job is
            // reserved for us, so it runs; the refused result waits in the
            // ledger and goes out alone before the next FETCH.
            ctx.limits.job_fetched();
            run_job(*job);
            ctx.limits.job_finished();
            // Its result goes out with the next FETCH, or alone on this connection
            // when no FETCH follows (fetching held, a reload moving it, a stop).
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

std::optional<protocol::FetchedJob> Processor::deliver_and_fetch(protocol::Client& client,
                                                                 std::vector<PendingResult> results) {
    auto& ctx = *context_;
    std::vector<protocol::ResultCommand> commands;
    commands.reserve(results.size());
    for (const auto& result : results)
        commands.push_back({result.jid, result.failure ? &*result.failure : nullptr});
    std::vector<bool> answered(results.size(), false);
    std::size_t delivered = 0;
    bool refused = false;
    const auto settle = [&](std::size_t i, const protocol::ServerError* refusal) {
        answered[i] = true;
        auto& result = results[i];
        if (!refusal) {
            ++delivered;
            return;
        }
        if (!ctx.keep_refused(result, *refusal)) return;
        // Re-sends back off for the whole ledger, as deliver_results does; the hold
        // starts now, before the result is back where other processors see it,
        // not once the FETCH (which may block 2 s) is answered.
        if (!refused) ctx.ledger.refused();
        refused = true;
        ctx.ledger.put_back(std::move(result));
    };
    const auto account = [&] {
        if (!refused && delivered > 0) ctx.ledger.delivered();
    };
    try {
        auto job = client.deliver_and_fetch(commands, picker_.next(), settle);
        account();
        return job;
    } catch (...) {
        // Not answered: not known delivered. They stay, to be sent alone after reconnecting.
        for (std::size_t i = 0; i < results.size(); ++i)
            if (!answered[i]) ctx.ledger.put_back(std::move(results[i]));
        account();
        throw;
    }
}

void Processor::refuse_malformed(const protocol::FetchedJob& fetched) {
    auto& ctx = *context_;
    ctx.busy.fetch_ended();
    if (fetched.jid.empty()) {
        // No jid, no FAIL (and never an ACK of ""): the server retries it when its reservation expires.
        ctx.logger.error(name() + ": fetched a job without a readable jid, left to its reservation: " +
                         fetched.problem + ": \"" + fetched.excerpt + "\"");
        return;
    }
    ctx.log_job(Poco::Message::PRIO_ERROR, fetched.jid, "", "malformed, FAILed as MalformedJob without running it: " +
                                                               fetched.problem + ": \"" + fetched.excerpt + "\"");
    auto result = PendingResult::fail(fetched.jid, "", protocol::FailureReport{"MalformedJob", fetched.problem, {}});
    result.with_next_fetch = true;
    ctx.ledger.add(std::move(result));
}

void Processor::run_job(const protocol::FetchedJob& fetched) {
    auto& ctx = *context_;
    if (!fetched.well_formed()) return refuse_malformed(fetched);
    const auto& job = *fetched.job;
    plugins::JobInput input;
    JobTicket ticket;
    try {
        input = job_input_of(job);
        ticket.jid = input.jid;
        ticket.jobtype = input.jobtype;
        ticket.payload = fetched.payload;
        ticket.retry_left = has_retry_left(job);
        ticket.reservation = reservation_of(job);
        const auto margin = ctx.config.worker.reservation_margin;
        const auto limit = time_limit(ctx.job_limit(input.jobtype), ticket.reservation, margin);
        ticket.limit = limit.after;
        ticket.limit_rule = limit;
        ticket.margin = margin;
    } catch (const std::exception& e) {
        // The check let through something the accessors still choke on: the job is as unreadable as any.
        auto unreadable = fetched;
        unreadable.job.reset();
        unreadable.problem = std::string("the job cannot be read: ") + e.what();
        unreadable.excerpt = protocol::resp::escape_excerpt(fetched.payload, 200);  // set by the check only when it failed
        return refuse_malformed(unreadable);
    }
    auto running = ctx.busy.job_started(pool_, index_, std::move(ticket));
    const metrics::InFlightJob in_flight(pool_);

    if (ctx.lifecycle.state() == LifecycleState::terminating) {
        // Fetched in the last moments before the terminate and never started: give it back untouched,
        // so neither a retry nor the job itself is used up (a FAIL would discard retry: 0 jobs).
        ctx.busy.job_ended(running);
        ctx.log_job(Poco::Message::PRIO_WARNING, input.jid, input.jobtype,
                    "fetched during shutdown, never started: giving it back (ACK, then PUSH the same job)");
        ctx.ledger.add(PendingResult::give_back(input.jid, input.jobtype, running->payload));
        return;
    }

    // Lines for levels that are off are not even built: this runs once per job.
    if (ctx.logger.debug()) ctx.log_job(Poco::Message::PRIO_DEBUG, input.jid, input.jobtype, "started (" + name() + ")");
    plugins::JobOutcome outcome;
    {
        // The snapshot keeps this generation loaded until the handler returns, whatever reloads meanwhile.
        auto generation = ctx.generation.current();
        // On disk while the handler runs: a crash now is FAILed as WorkerCrashed at the next start.
        const JobJournal::Entry journal_entry(ctx.journal, pool_, index_, input, generation->plugin_of(input.jobtype));
        outcome = generation->run(input, running->stop.get_token(), ctx.services);
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - running->started);
    const auto end = ctx.busy.job_ended(running);
    if (end.failed_by_shutdown) {
        ctx.log_job(Poco::Message::PRIO_WARNING, input.jid, input.jobtype,
                    "returned after " + std::to_string(elapsed.count()) +
                        " ms, after the shutdown already settled it; result dropped");
        return;
    }

    auto result = PendingResult::ack(input.jid, input.jobtype);
    if (end.timed_out) {
        result.failure = protocol::FailureReport{
            "JobTimeout", "job exceeded its time limit: " + running->describe_limit(), {}};
    } else if (outcome.status == plugins::JobOutcome::Status::fail) {
        result.failure = protocol::FailureReport{outcome.errtype, outcome.message, outcome.backtrace};
    }
    if (result.failure)
        ctx.log_job(Poco::Message::PRIO_WARNING, input.jid, input.jobtype,
                    "failed after " + std::to_string(elapsed.count()) + " ms: " + result.failure->errtype + ": " +
                        result.failure->message);
    else if (ctx.logger.information())
        ctx.log_job(Poco::Message::PRIO_INFORMATION, input.jid, input.jobtype,
                    "done in " + std::to_string(elapsed.count()) + " ms");
    metrics::record_job(pool_, input.jobtype, !result.failure,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - running->started).count());
    result.with_next_fetch = true;  // fresh: it may share the write of this processor's next FETCH
    ctx.ledger.add(std::move(result));
}

} // namespace faktory_host::worker
