// The `metrics:` section: where the /metrics and /healthz listener binds
// (absent = no listener) and how long /healthz tolerates a lost server or a
// reload before it answers 503.
#include <charconv>

#include "config/sections.hpp"

namespace faktory_host::config {

namespace {

// host:port, :port or port; the host defaults to loopback, so nothing is
// exposed beyond the machine unless written down.
std::string read_listen(const ConfigNode& node) {
    auto text = node.as_string();
    const auto colon = text.rfind(':');
    const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535)
        node.fail("expected host:port (e.g. 127.0.0.1:9419) with a port from 0 to 65535, got '" + text + "'");
    if (colon == std::string::npos || colon == 0) text = "127.0.0.1:" + port;
    return text;
}

} // namespace

MetricsConfig read_metrics_section(const ConfigNode& section) {
    section.expect_keys({"listen", "health_grace"});
    MetricsConfig metrics;
    if (auto listen = section.child("listen")) metrics.listen = read_listen(*listen);
    if (auto grace = section.child("health_grace")) {
        metrics.health_grace = grace->as_duration();
        if (metrics.health_grace <= Duration::zero()) grace->fail("must be longer than 0");
    }
    return metrics;
}

} // namespace faktory_host::config
