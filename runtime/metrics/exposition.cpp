// Writes each metric family of the host in the text format.
#include "metrics/exposition.hpp"

#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

namespace faktory_host::metrics {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Shortest text that reads back as the same double; integers without a fraction.
std::string number(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (std::isnan(value)) return "NaN";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    for (int precision = 1; precision <= 17; ++precision) {
        char shorter[32];
        std::snprintf(shorter, sizeof shorter, "%.*g", precision, value);
        if (std::strtod(shorter, nullptr) == value) return shorter;
    }
    return buffer;
}

class Writer {
public:
    void family(const char* name, const char* type, const char* help) {
        out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
        out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
    }
    void sample(const std::string& name, const Labels& labels, double value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            for (std::size_t i = 0; i < labels.size(); ++i) {
                if (i) out_ += ',';
                out_.append(labels[i].first).append("=\"").append(escape_label_value(labels[i].second)).append("\"");
            }
            out_ += '}';
        }
        out_.append(" ").append(number(value)).append("\n");
    }
    void histogram(const std::string& name, const Labels& labels, const HistogramSnapshot& h) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < h.counts.size(); ++i) {
            cumulative += h.counts[i];
            Labels with_le = labels;
            with_le.emplace_back("le", i < h.bounds.size() ? number(h.bounds[i]) : "+Inf");
            sample(name + "_bucket", with_le, static_cast<double>(cumulative));
        }
        sample(name + "_sum", labels, h.sum_seconds);
        sample(name + "_count", labels, static_cast<double>(h.count));
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

void write_jobs(Writer& w, const JobCountsSnapshot& jobs) {
    w.family("faktory_host_jobs_total", "counter",
             "Jobs whose handler finished, by pool, jobtype and the result reported (ack or fail).");
    for (const auto& [key, counts] : jobs.by_pool_and_jobtype) {
        w.sample("faktory_host_jobs_total", {{"pool", key.first}, {"jobtype", key.second}, {"result", "ack"}},
                 static_cast<double>(counts.ack));
        w.sample("faktory_host_jobs_total", {{"pool", key.first}, {"jobtype", key.second}, {"result", "fail"}},
                 static_cast<double>(counts.fail));
    }
    w.family("faktory_host_job_duration_seconds", "histogram", "Time the handler ran, by pool and jobtype.");
    for (const auto& [key, counts] : jobs.by_pool_and_jobtype)
        w.histogram("faktory_host_job_duration_seconds", {{"pool", key.first}, {"jobtype", key.second}},
                    counts.duration);
    w.family("faktory_host_jobs_in_flight", "gauge", "Jobs running now, by pool.");
    for (const auto& [pool, running] : jobs.in_flight_by_pool)
        w.sample("faktory_host_jobs_in_flight", {{"pool", pool}}, static_cast<double>(running));
    w.family("faktory_host_fetch_wait_seconds", "histogram",
             "Time spent in FETCH (up to 2 s when the queues are empty).");
    w.histogram("faktory_host_fetch_wait_seconds", {}, jobs.fetch_wait);
}

void write_host(Writer& w, const HostCountsSnapshot& host, const std::optional<EngineView>& engine) {
    w.family("faktory_host_results_pending", "gauge", "ACK/FAIL results not yet confirmed by the server.");
    w.sample("faktory_host_results_pending", {}, engine ? static_cast<double>(engine->results_pending) : 0);
    w.family("faktory_host_results_resent_total", "counter",
             "Results whose delivery failed and that were kept to be sent again.");
    w.sample("faktory_host_results_resent_total", {}, static_cast<double>(host.results_resent));
    w.family("faktory_host_reconnects_total", "counter", "Connections to Faktory re-established after a failure.");
    w.sample("faktory_host_reconnects_total", {}, static_cast<double>(host.reconnects));
    w.family("faktory_host_connected", "gauge",
             "1 while the engine runs and none of its connections to Faktory is failing, else 0.");
    const bool connected = engine && engine->state != "starting" && host.failing_connections == 0;
    w.sample("faktory_host_connected", {}, connected ? 1 : 0);
    w.family("faktory_host_heartbeats_total", "counter", "BEATs the server answered.");
    w.sample("faktory_host_heartbeats_total", {}, static_cast<double>(host.heartbeats));
    w.family("faktory_host_state", "gauge", "1 for the current lifecycle state of the worker, 0 for the others.");
    for (const auto& state : lifecycle_states())
        w.sample("faktory_host_state", {{"state", state}}, engine && engine->state == state ? 1 : 0);
    w.family("faktory_host_reloads_total", "counter",
             "Plugin reloads: ok when the new generation serves, failed when the old one was kept.");
    w.sample("faktory_host_reloads_total", {{"result", "ok"}}, static_cast<double>(host.reloads_ok));
    w.sample("faktory_host_reloads_total", {{"result", "failed"}}, static_cast<double>(host.reloads_failed));
    w.family("faktory_host_generation", "gauge", "Number of the plugin generation serving new jobs (1, 2, ...).");
    w.sample("faktory_host_generation", {}, engine ? static_cast<double>(engine->generation) : 0);
    w.family("faktory_host_plugin_info", "gauge", "1 for each plugin of the serving generation.");
    if (engine)
        for (const auto& plugin : engine->plugins)
            w.sample("faktory_host_plugin_info",
                     {{"name", plugin.name}, {"version", plugin.version}, {"file", plugin.file},
                      {"sha256", plugin.sha256}},
                     1);
}

void write_process(Writer& w, const ProcessStats& p) {
    w.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    w.sample("process_cpu_seconds_total", {}, p.cpu_seconds);
    w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    w.sample("process_resident_memory_bytes", {}, static_cast<double>(p.resident_memory_bytes));
    w.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    w.sample("process_virtual_memory_bytes", {}, static_cast<double>(p.virtual_memory_bytes));
    w.family("process_open_fds", "gauge", "Number of open file descriptors.");
    w.sample("process_open_fds", {}, static_cast<double>(p.open_fds));
    if (p.max_fds) {
        w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
        w.sample("process_max_fds", {}, static_cast<double>(*p.max_fds));
    }
    w.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    w.sample("process_start_time_seconds", {}, p.start_time_seconds);
}

} // namespace

std::string escape_label_value(const std::string& value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

MetricsInput collect_metrics() {
    MetricsInput input;
    input.engine = current_engine_view();
    input.jobs = snapshot_job_counts();
    input.host = snapshot_host_counts();
    input.process = read_process_stats();
    return input;
}

std::string render_metrics(const MetricsInput& input) {
    Writer w;
    write_jobs(w, input.jobs);
    write_host(w, input.host, input.engine);
    write_process(w, input.process);
    return w.take();
}

} // namespace faktory_host::metrics
