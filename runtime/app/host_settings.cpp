// Config file selection, command-line overrides, and the connection options.
#include "app/host_settings.hpp"

#include <filesystem>

#include "ops/logging.hpp"

namespace faktory_host::app {

namespace {

constexpr const char* default_config_file = "faktory-host.yaml";

void apply_overrides(config::Config& config, const Overrides& o) {
    if (o.plugins_dir) config.plugins.dir = std::filesystem::absolute(*o.plugins_dir).lexically_normal();
    if (o.concurrency) {
        if (config.worker.pools.size() != 1)
            throw UsageError("--concurrency applies to one pool; " + config.source.string() + " defines " +
                             std::to_string(config.worker.pools.size()) + " (set each pool's concurrency there)");
        config.worker.pools.front().concurrency = *o.concurrency;
    }
    if (o.log_level) {
        try {
            ops::parse_log_level(*o.log_level);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--log-level: ") + e.what());
        }
        config.log.level = *o.log_level;
    }
    if (o.metrics_listen) {
        // Checked like metrics.listen in a file, through the same reader.
        try {
            config.metrics.listen = config::parse_config("metrics: { listen: \"" + *o.metrics_listen + "\" }",
                                                         "--metrics-listen").metrics.listen;
        } catch (const config::ConfigError& e) {
            throw UsageError(e.what());
        }
    }
    if (o.max_jobs) config.worker.max_jobs = *o.max_jobs;
    if (o.until_empty) config.worker.until_empty_grace = std::chrono::seconds(5);  // two FETCH blocks and a margin
    if (o.log_format) config.log.format = *o.log_format == "json" ? config::LogConfig::Format::json
                                                                  : config::LogConfig::Format::text;
}

} // namespace

config::Config load_settings(const CommandLine& line) {
    config::Config config;
    if (line.config_file) {
        config = config::load_config(*line.config_file);
    } else if (std::filesystem::exists(default_config_file)) {
        config = config::load_config(default_config_file);
    } else {
        // Built-in defaults: a relative plugins dir means the working directory's.
        config.plugins.dir = std::filesystem::absolute(config.plugins.dir).lexically_normal();
    }
    apply_overrides(config, line.overrides);
    return config;
}

protocol::ClientOptions connection_options(const config::Config& config, const Overrides& overrides) {
    protocol::ClientOptions options;
    options.url = protocol::ServerUrl::resolve(overrides.url, config.faktory.url);
    if (options.url.password.empty()) options.url.password = config.faktory.password;
    options.tls.verify_peer = config.faktory.tls.verify;
    options.tls.ca_file = config.faktory.tls.ca_file;
    return options;
}

void configure_logging_for(const config::Config& config) {
    ops::configure_logging(config.log.level, config.log.format == config::LogConfig::Format::json);
}

} // namespace faktory_host::app
