// `faktory-host run-job`: runs one job JSON through the plugins in this
// process, with no server. Jobs a handler pushes are printed instead of sent;
// handler log lines are printed too. Prints ACK or FAIL; exit 0 on ACK.
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "app/commands.hpp"
#include "app/host_settings.hpp"
#include "app/plugin_crash_naming.hpp"
#include "crash/activity.hpp"
#include "plugins/plugin_generation.hpp"
#include "protocol/job.hpp"
#include "worker/job_input.hpp"
#include "worker/loader_options.hpp"

namespace faktory_host::app {

namespace {

std::string read_job_text(const std::string& file) {
    if (file == "-") {
        std::ostringstream text;
        text << std::cin.rdbuf();
        return text.str();
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UsageError("cannot read job file " + file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

const char* level_name(plugins::LogLevel level) {
    switch (level) {
    case plugins::LogLevel::debug: return "debug";
    case plugins::LogLevel::info: return "info";
    case plugins::LogLevel::warning: return "warning";
    case plugins::LogLevel::error: return "error";
    }
    return "info";
}

// Handlers may push or log from threads of their own: one line at a time.
std::mutex output_lock;

plugins::HostServices printing_services() {
    plugins::HostServices services;
    services.push = [](std::string_view jobtype, std::string_view args_json, std::string_view queue) {
        protocol::Job job{std::string(jobtype)};
        job.set_args_json(std::string(args_json));
        job.set_queue(std::string(queue));
        std::lock_guard lock(output_lock);
        std::cout << "push (not sent): " << job.to_json() << std::endl;
        return job.jid();
    };
    services.log = [](plugins::LogLevel level, const plugins::JobInput& job, std::string_view message) {
        std::lock_guard lock(output_lock);
        std::cout << "log " << level_name(level) << " jid=" << job.jid << " jobtype=" << job.jobtype << ": "
                  << message << std::endl;
    };
    // SDK 1.1: pushes with options, in bulk, and plugin lines outside the job.
    services.push_job = [](const std::string& job_json) {
        std::lock_guard lock(output_lock);
        std::cout << "push (not sent): " << job_json << std::endl;
        return protocol::Job::from_json(job_json).jid();
    };
    services.push_bulk = [](const std::vector<std::string>& jobs_json) {
        std::lock_guard lock(output_lock);
        for (const auto& json : jobs_json) std::cout << "push (not sent): " << json << std::endl;
        return std::map<std::string, std::string>{};
    };
    services.plugin_log = [](plugins::LogLevel level, std::string_view plugin, std::string_view message) {
        std::lock_guard lock(output_lock);
        std::cout << "log " << level_name(level) << " plugin=" << plugin << ": " << message << std::endl;
    };
    return services;
}

} // namespace

int run_one_job(const CommandLine& line) {
    const auto config = load_settings(line);
    configure_logging_for(config);

    protocol::Job job{std::string("unset")};
    try {
        job = protocol::Job::from_json(read_job_text(line.job_file));
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception& e) {
        throw UsageError("the job is not a JSON object: " + std::string(e.what()));
    }
    if (job.jobtype().empty()) throw UsageError("the job has no jobtype");
    if (job.jid().empty()) job.set_jid(protocol::new_jid());  // a hand-written job may leave it out
    const auto input = worker::job_input_of(job);

    const PluginCrashNaming crash_naming;  // plugin code runs from here on
    auto options = worker::loader_options(config.plugins);
    options.services = std::make_shared<const plugins::HostServices>(printing_services());
    plugins::LoadReport report;
    const auto generation = plugins::PluginGeneration::load(options, report);
    for (const auto& error : report.errors) std::cerr << "plugin " << error.file << " not loaded: " << error.message << "\n";

    plugins::JobOutcome outcome;
    {
        // A crash in the handler names the plugin, jobtype and jid, as under `run`.
        const crash::Activity activity{generation->plugin_of(input.jobtype).c_str(), nullptr, input.jobtype.c_str(),
                                       input.jid.c_str(), nullptr};
        const crash::ActivityScope scope(activity);
        outcome = generation->run(input, std::stop_token{}, printing_services());
    }
    std::lock_guard lock(output_lock);
    if (outcome.status == plugins::JobOutcome::Status::ack) {
        std::cout << "ACK jid=" << input.jid << " jobtype=" << input.jobtype << std::endl;
        return 0;
    }
    std::cout << "FAIL jid=" << input.jid << " jobtype=" << input.jobtype << " errtype=" << outcome.errtype << ": "
              << outcome.message << "\n";
    for (const auto& frame : outcome.backtrace) std::cout << "    " << frame << "\n";
    std::cout.flush();
    return 1;
}

} // namespace faktory_host::app
