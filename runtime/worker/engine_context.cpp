// Shared engine state: construction, job limits, job logging, result delivery.
#include "worker/engine_context.hpp"

#include "logging/logging.hpp"
#include "protocol/errors.hpp"

#include <stdexcept>

namespace faktory_host::worker {

namespace {

Poco::Message::Priority job_priority(plugins::LogLevel level) {
    switch (level) {
    case plugins::LogLevel::debug: return Poco::Message::PRIO_DEBUG;
    case plugins::LogLevel::info: return Poco::Message::PRIO_INFORMATION;
    case plugins::LogLevel::warning: return Poco::Message::PRIO_WARNING;
    case plugins::LogLevel::error: return Poco::Message::PRIO_ERROR;
    }
    return Poco::Message::PRIO_INFORMATION;
}

} // namespace

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
        log_job(priority, job.jid, job.jobtype, message);
    };
    // SDK 1.1: pushes with options and in bulk, and plugin lines outside jobs.
    // Through the pool's push, so a lost reply is reported as such and never pushed twice.
    services.push_job = [this](const std::string& job_json) {
        return producers.push(protocol::Job::from_json(job_json));
    };
    services.push_bulk = [this](const std::vector<std::string>& jobs_json) {
        std::vector<protocol::Job> jobs;
        for (const auto& json : jobs_json) jobs.push_back(protocol::Job::from_json(json));
        std::map<std::string, std::string> refused;
        producers.with_client([&](protocol::Client& client) { refused = client.push_bulk(jobs); });
        return refused;
    };
    services.log_fields = [this](plugins::LogLevel level, const plugins::JobInput* job, std::string_view plugin,
                                 std::string_view message,
                                 const std::vector<std::pair<std::string, std::string>>& fields) {
        const auto priority = job_priority(level);
        if (!logger.is(priority)) return;  // no text built for a level that is off
        if (job) return logging::log_fields(logger, priority, job->jid, job->jobtype, message, fields);
        logging::log_fields(logger, priority, "", "", "plugin " + std::string(plugin) + ": " + std::string(message), fields);
    };
    services.log_enabled = [this](plugins::LogLevel level) {
        switch (level) {
        case plugins::LogLevel::debug: return logger.debug();
        case plugins::LogLevel::info: return logger.information();
        case plugins::LogLevel::warning: return logger.warning();
        case plugins::LogLevel::error: return logger.error();
        }
        return true;
    };
    services.plugin_log = [this](plugins::LogLevel level, std::string_view plugin, std::string_view message) {
        if (!logger.is(job_priority(level))) return;  // no text built for a level that is off
        const std::string text = "plugin " + std::string(plugin) + ": " + std::string(message);
        switch (level) {
        case plugins::LogLevel::debug: logger.debug(text); break;
        case plugins::LogLevel::info: logger.information(text); break;
        case plugins::LogLevel::warning: logger.warning(text); break;
        case plugins::LogLevel::error: logger.error(text); break;
        }
    };
}

std::shared_ptr<const plugins::HostServices> plugin_services(const std::shared_ptr<EngineContext>& context) {
    // Weak: generations live inside the context, so owning it here would be a
    // cycle; once the context is going away, plugin calls get an error instead.
    std::weak_ptr<EngineContext> weak = context;
    auto services = std::make_shared<plugins::HostServices>();
    auto alive = [weak] {
        auto ctx = weak.lock();
        if (!ctx) throw std::runtime_error("the host is shutting down");
        return ctx;
    };
    services->push_job = [alive](const std::string& job_json) { return alive()->services.push_job(job_json); };
    services->push_bulk = [alive](const std::vector<std::string>& jobs) { return alive()->services.push_bulk(jobs); };
    services->log_enabled = [weak](plugins::LogLevel level) {
        auto ctx = weak.lock();
        return ctx && ctx->services.log_enabled(level);
    };
    services->log_fields = [weak](plugins::LogLevel level, const plugins::JobInput* job, std::string_view plugin,
                                  std::string_view message,
                                  const std::vector<std::pair<std::string, std::string>>& fields) {
        if (auto ctx = weak.lock()) ctx->services.log_fields(level, job, plugin, message, fields);
    };
    services->plugin_log = [weak](plugins::LogLevel level, std::string_view plugin, std::string_view message) {
        if (auto ctx = weak.lock()) ctx->services.plugin_log(level, plugin, message);
    };
    return services;
}

std::optional<config::Duration> EngineContext::job_limit(const std::string& jobtype) const {
    const auto in_force = settings.current();
    const auto& limits = in_force->worker.job_timeout;
    if (auto it = limits.find(jobtype); it != limits.end()) return it->second;
    if (auto it = limits.find("*"); it != limits.end()) return it->second;
    return std::nullopt;
}

void EngineContext::log_job(Poco::Message::Priority priority, std::string_view jid, std::string_view jobtype,
                            std::string_view text) const {
    logging::log_job(logger, priority, jid, jobtype, text);
}

namespace {

// PUSH refusals that name something wrong with the job itself: sending it again cannot help.
bool push_refused_for_content(const protocol::ServerError& e) {
    const auto& text = e.server_message();
    return text.rfind("jobs must", 0) == 0 || text.rfind("jobs cannot", 0) == 0 || text.rfind("invalid", 0) == 0;
}

} // namespace

std::chrono::milliseconds EngineContext::deliver_results(protocol::Client& client) {
    if (const auto hold = ledger.held_for(); hold.count() > 0) return hold;
    try {
        const auto sent = ledger.flush([&](PendingResult& result) {
            try {
                switch (result.kind()) {
                case PendingResult::Kind::ack: client.ack(result.jid); break;
                case PendingResult::Kind::fail: client.fail(result.jid, *result.failure); break;
                case PendingResult::Kind::give_back:
                    if (!result.reservation_released) {
                        client.ack(result.jid);
                        result.reservation_released = true;  // a re-send must not ACK again: the PUSHed copy may be reserved
                    }
                    client.push(protocol::Job::from_json(result.give_back_payload));
                    log_job(Poco::Message::PRIO_INFORMATION, result.jid, result.jobtype,
                            "given back to queue: reservation ACKed, job PUSHed again unchanged");
                    break;
                }
            } catch (const protocol::ServerError& e) {
                if (keep_refused(result, e)) throw;
            }
        });
        if (sent > 0) ledger.delivered();
        return std::chrono::milliseconds{0};
    } catch (const protocol::ServerError&) {
        return ledger.refused();
    }
}

bool EngineContext::keep_refused(const PendingResult& result, const protocol::ServerError& refusal) const {
    if (refusal_is_final(result, refusal)) {
        log_job(Poco::Message::PRIO_WARNING, result.jid, result.jobtype,
                std::string("the server no longer holds the reservation, FAIL dropped: ") + refusal.what());
        return false;
    }
    if (result.kind() == PendingResult::Kind::give_back && result.reservation_released &&
        push_refused_for_content(refusal)) {
        log_job(Poco::Message::PRIO_ERROR, result.jid, result.jobtype,
                std::string("the server refused to take the job back: ") + refusal.what() +
                    "; its payload: " + result.give_back_payload);
        return false;
    }
    log_job(Poco::Message::PRIO_WARNING, result.jid, result.jobtype,
            std::string("the server refused the ") + result.verb() + " (" + refusal.what() +
                "); kept, it will be sent again");
    return true;
}

} // namespace faktory_host::worker
