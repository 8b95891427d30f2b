// A 1.1 plugin with state and a thread of its own: its init hands the host an
// instance (reached by handlers through job.instance<State>()), pushes and
// logs through the host handle, and starts a thread that pushes with options.
// Handlers push with options, in bulk, and wait for cancellation. The order of
// shutdown and destroy is written to config's trace_file for the test to read.
#include <faktory/plugin.hpp>

#include <poll.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace {

struct State {
    std::string trace_file;
    std::atomic<int> count{0};
    std::thread worker;
    void trace(const std::string& line) const {
        std::ofstream(trace_file, std::ios::app) << line << "\n";
    }
    ~State() { trace("instance destroyed, count=" + std::to_string(count.load())); }
};

} // namespace

FAKTORY_PLUGIN("state-1-1", "1.1.0", plugin) {
    auto* state = plugin.own_instance(std::make_unique<State>());
    state->trace_file = plugin.config<std::string>("trace_file");
    faktory::Host host = plugin.host();
    host.log("init pushing");
    host.push("FromInit", {1});
    state->worker = std::thread([host] {
        faktory::PushOptions options;
        options.queue = "background";
        options.retry = 2;
        options.reserve_for = 90;
        options.at = "2030-01-01T00:00:00Z";
        options.custom_json = faktory::Json(std::map<std::string, std::string>{{"from", "thread"}}).text();
        options.priority = 7;
        host.push("FromThread", {"tick"}, options);
        host.log(faktory::LogLevel::warning, "thread pushed");
    });
    plugin.on_shutdown([state] {
        state->worker.join();
        state->trace("shutdown");
    });

    plugin.handle("LogFields", [](faktory::Job& job) {
        job.log(faktory::LogLevel::warning, "charged", {{"amount", "12.50"}, {"currency", "EUR"}});
        job.host().log(faktory::LogLevel::info, "from the handle", {{"k", "v"}});
    });
    plugin.handle("LogLevels", [](faktory::Job& job) {
        std::string line;
        for (auto level : {faktory::LogLevel::debug, faktory::LogLevel::info, faktory::LogLevel::error})
            line += job.log_enabled(level) ? "on;" : "off;";
        job.log(line);
    });
    plugin.handle("Count", [](faktory::Job& job) {
        const int now = ++job.instance<State>()->count;
        job.log("count=" + std::to_string(now));
    });
    plugin.handle("PushOptions", [](faktory::Job& job) {
        faktory::PushOptions options;
        options.queue = "low";
        options.retry = 0;
        job.log("pushed " + job.push("Opt", {1, "a \"quoted\" word"}, options));
    });
    plugin.handle("Bulk", [](faktory::Job& job) {
        const auto results = job.host().push_bulk({{"A", {1}}, {"Refused", {2}}, {"C", {3}, {"q3"}}});
        std::string line;
        for (const auto& r : results) line += (r.ok() ? "ok" : "refused: " + r.error) + ";";
        job.log(line);
    });
    plugin.handle("WaitCancel", [](faktory::Job& job) {
        job.log("waiting");
        job.log(job.wait_cancelled(std::chrono::seconds(20)) ? "cancelled" : "timed out");
    });
    plugin.handle("WaitShort", [](faktory::Job& job) {
        job.log(job.wait_cancelled(std::chrono::milliseconds(30)) ? "cancelled" : "timed out");
    });
    plugin.handle("PollCancel", [](faktory::Job& job) {
        pollfd watch{job.cancel_fd(), POLLIN, 0};
        job.log("polling");
        const int ready = ::poll(&watch, 1, 20000);
        job.log(ready == 1 && (watch.revents & POLLIN) ? "fd readable" : "poll timed out");
    });
}
