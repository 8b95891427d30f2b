// What a subcommand runs with: the config file (or built-in defaults) with the
// command-line overrides applied, and the connection options derived from it.
#pragma once
#include "app/command_line.hpp"
#include "config/config.hpp"
#include "protocol/client.hpp"

namespace faktory_host::app {

// --config FILE, else ./faktory-host.yaml when it exists, else the built-in
// defaults; then the overrides. Throws config::ConfigError (file:line:column)
// or UsageError (a bad override).
config::Config load_settings(const CommandLine& line);

// URL: --url, else FAKTORY_PROVIDER/FAKTORY_URL, else faktory.url, else
// tcp://localhost:7419. A password in the URL wins over faktory.password.
// Throws protocol::UrlError (password masked).
protocol::ClientOptions connection_options(const config::Config& config, const Overrides& overrides);

// Points Poco's loggers at stderr with the configured level and format.
void configure_logging_for(const config::Config& config);

} // namespace faktory_host::app
