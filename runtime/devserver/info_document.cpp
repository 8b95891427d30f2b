// Builds INFO's JSON document from the server state.
#include "devserver/info_document.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

namespace faktory_host::devserver {

namespace {

#ifndef FAKTORY_HOST_VERSION
#error "FAKTORY_HOST_VERSION must be defined by the build"
#endif

std::int64_t used_memory_mb() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return pages_resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE)) / (1024 * 1024);
}

// "07:08:54 UTC", as Faktory's server_utc_time.
std::string utc_time_of_day(TimePoint now) {
    const std::time_t t = static_cast<std::time_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[16];
    std::snprintf(text, sizeof text, "%02d:%02d:%02d UTC", tm.tm_hour, tm.tm_min, tm.tm_sec);
    return text;
}

Poco::JSON::Object::Ptr scanner(const ScannerStats& stats, std::int64_t size) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
    entry->set("cycles", stats.cycles.load());
    entry->set("enqueued", stats.enqueued.load());
    entry->set("size", size);
    entry->set("wall_time_sec", static_cast<double>(stats.wall_time_ns.load()) / 1e9);
    return entry;
}

Poco::JSON::Object::Ptr reaper(std::int64_t reaped, std::int64_t size) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
    entry->set("reaped", reaped);
    entry->set("size", size);
    return entry;
}

} // namespace

std::string info_json(ServerState& state) {
    const auto counters = state.jobs.counters();
    const auto sizes = state.jobs.set_sizes();
    Poco::JSON::Object::Ptr queues = new Poco::JSON::Object;
    std::int64_t enqueued = 0;
    const auto queue_sizes = state.jobs.queue_sizes();
    for (const auto& [name, size] : queue_sizes) {
        queues->set(name, size);
        enqueued += size;
    }
    Poco::JSON::Object::Ptr tasks = new Poco::JSON::Object;
    tasks->set("Busy", reaper(state.tasks.busy_reaped.load(), sizes.working));
    tasks->set("Dead", scanner(state.tasks.dead, sizes.dead));
    tasks->set("Retries", scanner(state.tasks.retries, sizes.retries));
    tasks->set("Scheduled", scanner(state.tasks.scheduled, sizes.scheduled));
    tasks->set("Workers",
               reaper(state.tasks.workers_reaped.load(), static_cast<std::int64_t>(state.workers.size())));

    Poco::JSON::Object::Ptr faktory = new Poco::JSON::Object;
    faktory->set("queues", queues);
    faktory->set("tasks", tasks);
    faktory->set("total_enqueued", enqueued);
    faktory->set("total_failures", counters.failures);
    faktory->set("total_processed", counters.processed);
    faktory->set("total_queues", static_cast<std::int64_t>(queue_sizes.size()));

    Poco::JSON::Object::Ptr server = new Poco::JSON::Object;
    server->set("command_count", state.command_count.load());
    server->set("connections", state.connections.load());
    server->set("description", std::string("Faktory"));
    server->set("faktory_version", std::string(followed_faktory_version));
    server->set("devserver_name", std::string("faktory-host dev server"));
    server->set("devserver_version", std::string(FAKTORY_HOST_VERSION));
    server->set("uptime", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                        std::chrono::steady_clock::now() - state.started)
                                                        .count()));
    server->set("used_memory_mb", used_memory_mb());

    const auto now = state.clock.now();
    Poco::JSON::Object document;
    document.set("faktory", faktory);
    document.set("now", format_rfc3339(now));
    document.set("server", server);
    document.set("server_utc_time", utc_time_of_day(now));
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(document, out);
    return out.str();
}

} // namespace faktory_host::devserver
