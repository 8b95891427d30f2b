// `faktory-host [--config FILE]`: the worker process. Runs WorkerHost on the
// main thread with the signal watcher beside it, then leaves through
// std::_Exit: a processor stuck in plugin code may still be running, and
// static destructors or unloading under it would be worse than not running them.
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <Poco/Logger.h>

#include "app/commands.hpp"
#include "app/host_settings.hpp"
#include "app/host_signals.hpp"
#include "app/systemd_notifier.hpp"
#include "metrics/metrics_server.hpp"
#include "worker/worker_host.hpp"

namespace faktory_host::app {

namespace {

using namespace std::chrono_literals;

// Faktory expects a terminated worker gone within 30 s; the engine needs
// shutdown_timeout plus a few seconds to FAIL leftovers and say END.
std::chrono::milliseconds exit_deadline(const config::Config& config) {
    return std::max<std::chrono::milliseconds>(29s, config.worker.shutdown_timeout + 4s);
}

std::string describe_pools(const config::Config& config) {
    std::string out;
    for (const auto& pool : config.worker.pools) {
        if (!out.empty()) out += "; ";
        out += pool.name + " x" + std::to_string(pool.concurrency) + " [";
        for (std::size_t i = 0; i < pool.queues.queues.size(); ++i) out += (i ? " " : "") + pool.queues.queues[i];
        out += pool.queues.order == config::QueueSelection::Order::weighted ? "] weighted" : "] strict";
    }
    return out;
}

} // namespace

int run_host(const CommandLine& line) {
    // First: a SIGHUP or SIGTERM sent while the host starts up waits in the pipe for the watcher.
    ControlSignalPipe signals;
    const auto config = load_settings(line);
    const auto connection = connection_options(config, line.overrides);
    configure_logging_for(config);
    auto& logger = Poco::Logger::get("faktory.app");
    logger.information(std::string("faktory-host ") + FAKTORY_HOST_VERSION + " starting: config " +
                       (config.source.empty() ? std::string("(built-in defaults)") : config.source.string()) +
                       ", server " + connection.url.masked() + ", plugins " + config.plugins.dir.string() +
                       ", pools " + describe_pools(config));

    std::unique_ptr<metrics::MetricsServer> metrics_server;
    if (config.metrics.listen) {
        try {
            metrics_server = std::make_unique<metrics::MetricsServer>(
                metrics::MetricsServerOptions{*config.metrics.listen, config.metrics.health_grace, {}});
        } catch (const Poco::Exception& e) {
            std::cerr << "faktory-host: cannot serve metrics on " << *config.metrics.listen << ": " << e.displayText()
                      << std::endl;
            return 1;
        }
        logger.information("metrics on http://" + metrics_server->address() + "/metrics, health on /healthz");
    }
    worker::WorkerHost host(config, connection);
    // A reload re-reads the same file with the same command-line overrides.
    host.set_config_source({[line] { return load_settings(line); }, [](const config::Config& next) {
                                configure_logging_for(next);
                            }});
    SignalWatcher watcher(host, signals, logger, exit_deadline(config));
    SystemdNotifier notifier(host, logger);
    int code = 1;
    try {
        code = host.run();
    } catch (const std::exception& e) {
        // Plugins dir unusable, password refused: nothing to retry, say it plainly.
        std::cerr << "faktory-host: " << e.what() << std::endl;
    }
    notifier.announce_stopping();
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(code);
}

} // namespace faktory_host::app
