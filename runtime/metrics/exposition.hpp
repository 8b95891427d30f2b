// The Prometheus text exposition format, version 0.0.4: every family with
// `# HELP` and `# TYPE`, label values escaped, histograms with cumulative
// buckets, _sum and _count. render_metrics() is a pure function of what was
// collected, so tests can check the text byte for byte.
#pragma once
#include <optional>
#include <string>

#include "metrics/engine_view.hpp"
#include "metrics/host_counters.hpp"
#include "metrics/job_counters.hpp"
#include "metrics/process_stats.hpp"

namespace faktory_host::metrics {

constexpr const char* exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

struct MetricsInput {
    JobCountsSnapshot jobs;
    HostCountsSnapshot host;
    std::optional<EngineView> engine;
    ProcessStats process;
};

MetricsInput collect_metrics();
std::string render_metrics(const MetricsInput& input);

// A label value as the format wants it: backslash, double quote and newline escaped.
std::string escape_label_value(const std::string& value);

} // namespace faktory_host::metrics
