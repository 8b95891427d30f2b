// sdk_probe: loads a plugins directory with the real loader and runs one job,
// for the out-of-tree SDK test. Prints load errors, log lines and the outcome;
// exits 0 on ACK, 1 on FAIL, 2 when a plugin was refused.
//   sdk_probe <plugins-dir> <jobtype> [args-json]
#include <iostream>
#include <string>

#include "plugins/plugin_generation.hpp"

namespace plugins = faktory_host::plugins;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: sdk_probe <plugins-dir> <jobtype> [args-json]\n";
        return 64;
    }
    plugins::LoaderOptions options;
    options.dir = argv[1];
    plugins::LoadReport report;
    auto generation = plugins::PluginGeneration::load(options, report);
    for (const auto& error : report.errors) std::cout << "load error: " << error.message << "\n";
    if (!report.errors.empty()) return 2;

    plugins::HostServices services;
    services.log = [](plugins::LogLevel, const plugins::JobInput& job, std::string_view message) {
        std::cout << "log " << job.jid << ": " << message << "\n";
    };
    services.push = [](std::string_view jobtype, std::string_view args, std::string_view queue) {
        std::cout << "push " << jobtype << " " << args << " " << queue << "\n";
        return std::string("probe-jid");
    };
    plugins::JobInput job{"probe-1", argv[2], "default", argc > 3 ? argv[3] : "[]", "{}", 0, {}};
    const auto outcome = generation->run(job, {}, services);
    if (outcome.status == plugins::JobOutcome::Status::ack) {
        std::cout << "ACK\n";
        return 0;
    }
    std::cout << "FAIL " << outcome.errtype << ": " << outcome.message << "\n";
    return 1;
}
