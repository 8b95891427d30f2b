// The Prometheus text format as written by render_metrics: HELP and TYPE for
// every family, escaped label values, cumulative histogram buckets, and every
// metric the host promises.
#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>

#include "metrics/exposition.hpp"

using namespace faktory_host::metrics;

namespace {

MetricsInput sample_input() {
    MetricsInput input;
    const double bounds[] = {0.1, 1};
    SingleWriterHistogram duration(bounds);
    duration.observe(0.05);
    duration.observe(0.5);
    duration.observe(3);
    auto& counts = input.jobs.by_pool_and_jobtype[{"default", "Resize\"Image"}];
    counts.ack = 2;
    counts.fail = 1;
    counts.duration = duration.snapshot();
    input.jobs.in_flight_by_pool["default"] = 1;
    input.jobs.fetch_wait = SingleWriterHistogram(bounds).snapshot();
    input.host.reconnects = 4;
    input.engine = EngineView{"quiet", "abc", 3, {{"img", "1.2", "img.so", "ff00"}}, 7};
    input.process.cpu_seconds = 1.5;
    input.process.open_fds = 9;
    return input;
}

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_promised_family_has_help_and_type) {
    const auto text = render_metrics(sample_input());
    for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
             {"faktory_host_jobs_total", "counter"},
             {"faktory_host_job_duration_seconds", "histogram"},
             {"faktory_host_jobs_in_flight", "gauge"},
             {"faktory_host_fetch_wait_seconds", "histogram"},
             {"faktory_host_results_pending", "gauge"},
             {"faktory_host_results_resent_total", "counter"},
             {"faktory_host_reconnects_total", "counter"},
             {"faktory_host_connected", "gauge"},
             {"faktory_host_heartbeats_total", "counter"},
             {"faktory_host_state", "gauge"},
             {"faktory_host_reloads_total", "counter"},
             {"faktory_host_generation", "gauge"},
             {"faktory_host_plugin_info", "gauge"},
             {"process_cpu_seconds_total", "counter"},
             {"process_resident_memory_bytes", "gauge"},
             {"process_open_fds", "gauge"},
             {"process_start_time_seconds", "gauge"}}) {
        BOOST_TEST(text.find("# HELP " + name + " ") != std::string::npos, name);
        BOOST_TEST(has_line(text, "# TYPE " + name + " " + type), name);
    }
    // Each family is announced once, and every line is a comment or a sample.
    std::istringstream lines(text);
    std::set<std::string> typed;
    for (std::string line; std::getline(lines, line);) {
        BOOST_TEST(!line.empty());
        if (line.rfind("# TYPE ", 0) == 0) BOOST_TEST(typed.insert(line.substr(7, line.find(' ', 7) - 7)).second, line);
    }
    BOOST_TEST(text.back() == '\n');
}

BOOST_AUTO_TEST_CASE(samples_carry_escaped_labels_and_histograms_are_cumulative) {
    const auto text = render_metrics(sample_input());
    BOOST_TEST(has_line(text, "faktory_host_jobs_total{pool=\"default\",jobtype=\"Resize\\\"Image\",result=\"ack\"} 2"), text);
    BOOST_TEST(has_line(text, "faktory_host_jobs_total{pool=\"default\",jobtype=\"Resize\\\"Image\",result=\"fail\"} 1"));
    const std::string series = "faktory_host_job_duration_seconds";
    const std::string labels = "pool=\"default\",jobtype=\"Resize\\\"Image\"";
    BOOST_TEST(has_line(text, series + "_bucket{" + labels + ",le=\"0.1\"} 1"), text);
    BOOST_TEST(has_line(text, series + "_bucket{" + labels + ",le=\"1\"} 2"));
    BOOST_TEST(has_line(text, series + "_bucket{" + labels + ",le=\"+Inf\"} 3"));
    BOOST_TEST(has_line(text, series + "_sum{" + labels + "} 3.55"));
    BOOST_TEST(has_line(text, series + "_count{" + labels + "} 3"));
    BOOST_TEST(has_line(text, "faktory_host_jobs_in_flight{pool=\"default\"} 1"));
    BOOST_TEST(has_line(text, "faktory_host_results_pending 7"));
    BOOST_TEST(has_line(text, "faktory_host_reconnects_total 4"));
    BOOST_TEST(has_line(text, "faktory_host_state{state=\"quiet\"} 1"));
    BOOST_TEST(has_line(text, "faktory_host_state{state=\"running\"} 0"));
    BOOST_TEST(has_line(text, "faktory_host_generation 3"));
    BOOST_TEST(has_line(text, "faktory_host_plugin_info{name=\"img\",version=\"1.2\",file=\"img.so\",sha256=\"ff00\"} 1"));
    BOOST_TEST(has_line(text, "process_cpu_seconds_total 1.5"));
    BOOST_TEST(has_line(text, "process_open_fds 9"));
}

BOOST_AUTO_TEST_CASE(label_values_escape_backslash_quote_and_newline) {
    BOOST_TEST(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}

BOOST_AUTO_TEST_CASE(without_an_engine_the_gauges_read_zero_and_the_state_is_none) {
    MetricsInput input;
    const auto text = render_metrics(input);
    BOOST_TEST(has_line(text, "faktory_host_connected 0"));
    BOOST_TEST(has_line(text, "faktory_host_generation 0"));
    BOOST_TEST(text.find("faktory_host_state{state=\"starting\"} 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(collected_process_stats_are_plausible) {
    const auto input = collect_metrics();
    BOOST_TEST(input.process.open_fds >= 3);
    BOOST_TEST(input.process.resident_memory_bytes > 0);
    const auto now = static_cast<double>(std::time(nullptr));
    BOOST_TEST(input.process.start_time_seconds <= now + 1);
    BOOST_TEST(input.process.start_time_seconds > now - 3600);
}
