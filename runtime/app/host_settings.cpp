// Config file selection, command-line overrides, and the connection options.
#include "app/host_settings.hpp"

#include <filesystem>

#include "logging/logging.hpp"
#include "protocol/errors.hpp"

namespace faktory_host::app {

namespace {

constexpr const char* default_config_file = "faktory-host.yaml";

// The flags that stand for a key of the file, as config overrides: read by
// the same code as the file, so `--concurrency 100000` meets the same 1..1000.
std::vector<config::Override> config_overrides(const Overrides& o) {
    std::vector<config::Override> overrides;
    if (o.plugins_dir) overrides.push_back({"plugins.dir", *o.plugins_dir, "--plugins-dir"});
    if (o.concurrency) overrides.push_back({"worker.concurrency", *o.concurrency, "--concurrency"});
    if (o.log_level) overrides.push_back({"log.level", *o.log_level, "--log-level"});
    if (o.log_format) overrides.push_back({"log.format", *o.log_format, "--log-format"});
    if (o.metrics_listen) overrides.push_back({"metrics.listen", *o.metrics_listen, "--metrics-listen"});
    return overrides;
}

// Whether resolve() took faktory.url: no --url, and nothing usable in the environment.
bool url_came_from_file(const config::Config& config, const Overrides& overrides) {
    if (overrides.url || !config.faktory.url) return false;
    try {
        return !protocol::ServerUrl::from_environment().has_value();
    } catch (const protocol::UrlError&) {
        return false;  // the environment's own error was the one reported
    }
}

// Run modes that only the command line sets: no key of the file stands for them.
void apply_run_modes(config::Config& config, const Overrides& o) {
    if (o.max_jobs) config.worker.max_jobs = *o.max_jobs;
    if (o.until_empty) config.worker.until_empty_grace = std::chrono::seconds(5);  // two FETCH blocks and a margin
}

config::Config read_settings(const CommandLine& line) {
    const auto overrides = config_overrides(line.overrides);
    try {
        if (line.config_file) return config::load_config(*line.config_file, overrides);
        if (std::filesystem::exists(default_config_file)) return config::load_config(default_config_file, overrides);
        return config::default_config(overrides);
    } catch (const config::OverrideError& e) {
        throw UsageError(e.what());  // the command line is at fault: exit 2, like any usage error
    }
}

} // namespace

config::Config load_settings(const CommandLine& line) {
    auto config = read_settings(line);
    apply_run_modes(config, line.overrides);
    return config;
}

protocol::ClientOptions connection_options(const config::Config& config, const Overrides& overrides) {
    protocol::ClientOptions options;
    try {
        options.url = protocol::ServerUrl::resolve(overrides.url, config.faktory.url);
    } catch (const protocol::UrlError& e) {
        if (url_came_from_file(config, overrides)) throw protocol::UrlError(config.faktory.url_location + e.what());
        throw;
    }
    if (options.url.password.empty()) options.url.password = config.faktory.password;
    options.tls.verify_peer = config.faktory.tls.verify;
    options.tls.ca_file = config.faktory.tls.ca_file;
    return options;
}

void configure_logging_for(const config::Config& config) {
    logging::configure_logging(config.log.level, config.log.format == config::LogConfig::Format::json);
}

} // namespace faktory_host::app
