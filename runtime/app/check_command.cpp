// `faktory-host check`: validates the config and loads every plugin, without
// connecting to anything, and prints what it found. Exit 0 only when the
// config is valid, every plugin loaded and at least one jobtype is handled.
#include <iostream>

#include "app/commands.hpp"
#include "app/host_settings.hpp"
#include "app/plugin_crash_naming.hpp"
#include "plugins/plugin_generation.hpp"
#include "worker/loader_options.hpp"

namespace faktory_host::app {

namespace {

std::string joined(const std::vector<std::string>& names, const char* separator = ", ") {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : separator) + name;
    return out;
}

void print_config(std::ostream& out, const config::Config& config, const protocol::ClientOptions& connection) {
    out << "config:      " << (config.source.empty() ? "(built-in defaults)" : config.source.string()) << "\n";
    out << "server:      " << connection.url.masked() << " (not contacted)\n";
    for (const auto& pool : config.worker.pools) {
        const bool weighted = pool.queues.order == config::QueueSelection::Order::weighted;
        out << "pool:        " << pool.name << ", " << pool.concurrency << " thread(s), "
            << (weighted ? "weighted" : "strict") << " queues " << joined(pool.queues.queues, " ");
        if (weighted) {
            out << " (weights";
            for (auto weight : pool.queues.weights) out << " " << weight;
            out << ")";
        }
        out << "\n";
    }
    out << "plugins dir: " << config.plugins.dir.string() << "\n";
}

} // namespace

int run_check(const CommandLine& line) {
    const auto config = load_settings(line);
    const auto connection = connection_options(config, line.overrides);
    configure_logging_for(config);
    print_config(std::cout, config, connection);

    const PluginCrashNaming crash_naming;  // plugin code runs from here on
    const auto options = worker::loader_options(config.plugins);
    plugins::LoadReport report;
    std::shared_ptr<plugins::PluginGeneration> generation;
    try {
        generation = plugins::PluginGeneration::load(options, report);
    } catch (const std::exception& e) {
        std::cout << "error:       " << e.what() << "\nFAILED: the plugins directory is unusable\n";
        return 1;
    }
    std::size_t jobtypes = 0;
    for (const auto& plugin : report.plugins) {
        std::cout << "plugin:      " << plugin.file << ": " << plugin.name << " " << plugin.version
                  << ", jobtypes " << joined(plugin.jobtypes) << "\n";
        jobtypes += plugin.jobtypes.size();
    }
    for (const auto& error : report.errors) std::cout << "error:       " << error.file << ": " << error.message << "\n";

    if (!report.errors.empty()) {
        std::cout << "FAILED: " << report.errors.size() << " plugin(s) did not load\n";
        return 1;
    }
    if (jobtypes == 0) {
        std::cout << "FAILED: no plugin in " << config.plugins.dir.string() << " handles any jobtype\n";
        return 1;
    }
    std::cout << "OK: " << report.plugins.size() << " plugin(s), " << jobtypes << " jobtype(s)\n";
    return 0;
}

} // namespace faktory_host::app
