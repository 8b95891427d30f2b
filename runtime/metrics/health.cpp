// The health rules and the JSON they are reported in.
#include "metrics/health.hpp"

#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace faktory_host::metrics {

namespace {

std::string seconds_text(std::chrono::steady_clock::duration span) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(span).count();
    return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

std::string unhealthy_reason(const std::optional<EngineView>& engine, const HostCountsSnapshot& host,
                             SteadyTime now, std::chrono::milliseconds grace) {
    if (!engine) return "the worker engine is not running";
    const auto& state = engine->state;
    if (state == "starting") return "starting: plugins loading or Faktory not reached yet";
    if (state == "terminating" || state == "stopped") return "terminating";
    if (host.disconnected_since && now - *host.disconnected_since > grace)
        return "disconnected from Faktory for " + seconds_text(now - *host.disconnected_since) +
               " (grace " + seconds_text(grace) + ")";
    if ((state == "draining" || state == "reloading") && host.reload_started_at &&
        now - *host.reload_started_at > grace)
        return "reloading for " + seconds_text(now - *host.reload_started_at) + " (grace " + seconds_text(grace) + ")";
    return "";
}

} // namespace

HealthVerdict judge_health(const std::optional<EngineView>& engine, const HostCountsSnapshot& host,
                           SteadyTime now, std::chrono::milliseconds grace) {
    HealthVerdict verdict;
    verdict.reason = unhealthy_reason(engine, host, now, grace);
    verdict.healthy = verdict.reason.empty();

    Poco::JSON::Object body;
    body.set("status", verdict.healthy ? "ok" : "unavailable");
    if (!verdict.healthy) body.set("reason", verdict.reason);
    body.set("state", engine ? engine->state : "starting");
    body.set("wid", engine ? engine->wid : "");
    body.set("connected", engine && engine->state != "starting" && host.failing_connections == 0);
    body.set("generation", engine ? engine->generation : 0);
    Poco::JSON::Array plugins;
    if (engine) {
        for (const auto& plugin : engine->plugins) {
            Poco::JSON::Object entry;
            entry.set("name", plugin.name);
            entry.set("version", plugin.version);
            plugins.add(entry);
        }
    }
    body.set("plugins", plugins);
    std::ostringstream text;
    body.stringify(text);
    verdict.body = text.str();
    return verdict;
}

} // namespace faktory_host::metrics
