// Start-up of the crash journal: state dir lock, handlers, recovery.
#include "worker/crash_recovery.hpp"

#include "crash/crash_line.hpp"
#include "crash/exit_watch.hpp"
#include "crash/fatal_signals.hpp"
#include "worker/engine_context.hpp"

namespace faktory_host::worker {

void prepare_crash_journal(EngineContext& ctx) {
    ctx.state = std::make_unique<StateDirectory>(ctx.config.worker.state_dir);
    crash::set_log_format_json(ctx.config.log.format == config::LogConfig::Format::json);
    crash::set_orderly_exit(false);
    crash::install_fatal_signal_handlers();
    crash::install_exit_watch();
}

void recover_crashed_jobs(EngineContext& ctx) {
    const auto file = ctx.state->job_journal_file();
    const auto reading = JobJournal::read(file);
    if (!reading.problem.empty()) ctx.logger.error("crash journal: " + reading.problem);
    for (const auto& job : reading.jobs) {
        const auto message = job.describe();
        ctx.log_job(Poco::Message::PRIO_ERROR, job.jid, job.jobtype,
                    "was running when the host process died; FAILing it as WorkerCrashed so it is retried now: " +
                        message);
        ctx.ledger.add({job.jid, job.jobtype, protocol::FailureReport{"WorkerCrashed", message, {}}});
    }
    if (!reading.jobs.empty()) {
        // Sent now rather than by the first processor: the fresh journal below no longer names these jobs.
        try {
            ctx.producers.with_client([&](protocol::Client& client) { ctx.deliver_results(client); });
        } catch (const std::exception& e) {
            ctx.logger.warning("crash journal: the WorkerCrashed FAILs stay queued for the processors: " +
                               std::string(e.what()));
        }
    }
    ctx.journal.open(file, ctx.config.worker.pools);
}

} // namespace faktory_host::worker
