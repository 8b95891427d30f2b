// Start-up of the crash journal: state dir lock, handlers, recovery; and the
// undelivered results kept in the state dir from one run to the next.
#include "worker/crash_recovery.hpp"

#include <filesystem>

#include "crash/crash_line.hpp"
#include "crash/exit_watch.hpp"
#include "crash/fatal_signals.hpp"
#include "worker/engine_context.hpp"
#include "worker/result_ledger_file.hpp"

namespace faktory_host::worker {

void prepare_crash_journal(EngineContext& ctx) {
    ctx.state = std::make_unique<StateDirectory>(ctx.config.worker.state_dir);
    crash::set_log_format_json(ctx.config.log.format == config::LogConfig::Format::json);
    crash::set_orderly_exit(false);
    crash::install_fatal_signal_handlers();
    crash::install_exit_watch();
}

namespace {

// What the previous run could not deliver before it exited goes first.
void take_saved_results(EngineContext& ctx) {
    const auto file = ctx.state->result_ledger_file();
    std::vector<PendingResult> saved;
    try {
        saved = load(file);
    } catch (const std::exception& e) {
        // Kept aside, not deleted: a give-back in it may be the only copy of a job.
        auto aside = file;
        aside += ".unreadable";
        std::error_code ignored;
        std::filesystem::rename(file, aside, ignored);
        ctx.logger.error("results kept from the previous run cannot be read, moved to " + aside.string() + ": " +
                         e.what());
        return;
    }
    if (saved.empty()) return;
    ctx.logger.information(std::to_string(saved.size()) + " result(s) the previous run could not deliver (" +
                           file.string() + ") go out before the first FETCH");
    for (auto& result : saved) ctx.ledger.add(std::move(result));
}

} // namespace

void save_undelivered_results(EngineContext& ctx) {
    if (!ctx.state) return;
    const auto file = ctx.state->result_ledger_file();
    try {
        save(ctx.ledger, file);
        if (!ctx.ledger.empty())
            ctx.logger.warning(std::to_string(ctx.ledger.size()) + " undelivered result(s) saved to " + file.string() +
                               "; the next start sends them first");
    } catch (const std::exception& e) {
        ctx.logger.error("cannot save the undelivered results: " + std::string(e.what()));
    }
}

void recover_crashed_jobs(EngineContext& ctx) {
    take_saved_results(ctx);
    const auto file = ctx.state->job_journal_file();
    const auto reading = JobJournal::read(file);
    if (!reading.problem.empty()) ctx.logger.error("crash journal: " + reading.problem);
    for (const auto& job : reading.jobs) {
        const auto message = job.describe();
        ctx.log_job(Poco::Message::PRIO_ERROR, job.jid, job.jobtype,
                    "was running when the host process died; FAILing it as WorkerCrashed so it is retried now: " +
                        message);
        ctx.ledger.add(PendingResult::fail(job.jid, job.jobtype, protocol::FailureReport{"WorkerCrashed", message, {}}));
    }
    if (!ctx.ledger.empty()) {
        // Sent now rather than by the first processor: the fresh journal below no longer names these jobs.
        try {
            ctx.producers.with_client([&](protocol::Client& client) { ctx.deliver_results(client); });
        } catch (const std::exception& e) {
            ctx.logger.warning("crash journal: " + std::to_string(ctx.ledger.size()) +
                               " result(s) stay queued for the processors: " + std::string(e.what()));
        }
    }
    // Whatever is still undelivered is on disk again before the journal starts afresh, so a
    // second crash loses none of it.
    save_undelivered_results(ctx);
    ctx.journal.open(file, ctx.config.worker.pools);
}

} // namespace faktory_host::worker
