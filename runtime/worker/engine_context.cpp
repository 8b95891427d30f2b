// Shared engine state: construction, job limits, job logging, result delivery.
#include "worker/engine_context.hpp"

#include "ops/logging.hpp"
#include "protocol/errors.hpp"

namespace faktory_host::worker {

EngineContext::EngineContext(config::Config config_in, protocol::ClientOptions connection_in)
    : config(std::move(config_in)),
      settings(config),
      connection(std::move(connection_in)),
      logger(Poco::Logger::get("faktory.worker")),
      producers(connection),
      outage(logger, connection.url.masked()) {
    services.push = [this](std::string_view jobtype, std::string_view args_json, std::string_view queue) {
        return producers.push(jobtype, args_json, queue);
    };
    services.log = [this](plugins::LogLevel level, const plugins::JobInput& job, std::string_view message) {
        auto priority = Poco::Message::PRIO_INFORMATION;
        switch (level) {
        case plugins::LogLevel::debug: priority = Poco::Message::PRIO_DEBUG; break;
        case plugins::LogLevel::info: priority = Poco::Message::PRIO_INFORMATION; break;
        case plugins::LogLevel::warning: priority = Poco::Message::PRIO_WARNING; break;
        case plugins::LogLevel::error: priority = Poco::Message::PRIO_ERROR; break;
        }
        log_job(priority, job.jid, job.jobtype, std::string(message));
    };
}

std::optional<config::Duration> EngineContext::job_limit(const std::string& jobtype) const {
    const auto in_force = settings.current();
    const auto& limits = in_force->worker.job_timeout;
    if (auto it = limits.find(jobtype); it != limits.end()) return it->second;
    if (auto it = limits.find("*"); it != limits.end()) return it->second;
    return std::nullopt;
}

void EngineContext::log_job(Poco::Message::Priority priority, const std::string& jid, const std::string& jobtype,
                            const std::string& text) const {
    ops::log_job(logger, priority, jid, jobtype, text);
}

void EngineContext::deliver_results(protocol::Client& client) {
    ledger.flush([&](const PendingResult& result) {
        try {
            if (result.failure)
                client.fail(result.jid, *result.failure);
            else
                client.ack(result.jid);
        } catch (const protocol::ServerError& e) {
            log_job(Poco::Message::PRIO_WARNING, result.jid, result.jobtype,
                    std::string("server refused the ") + (result.failure ? "FAIL" : "ACK") + ", dropping it: " + e.what());
        }
    });
}

} // namespace faktory_host::worker
