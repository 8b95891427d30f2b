// What the SDK's tests need of the host: load one test plugin with the real
// loader (optionally handing it a host API table cut to an older minor's size),
// run a job given as JSON, and record the logs and pushes its handlers made.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "plugins/plugin_generation.hpp"
#include "support/temp_dir.hpp"

namespace faktory_host::sdk_testing {

namespace fs = std::filesystem;
namespace plugins = faktory_host::plugins;

// <build>/tests/sdk/plugins/<name>.so, from FAKTORY_SDK_TEST_PLUGINS (set by ctest).
inline fs::path sdk_test_plugin(const std::string& name) {
    const char* root = std::getenv("FAKTORY_SDK_TEST_PLUGINS");
    if (!root) throw std::runtime_error("FAKTORY_SDK_TEST_PLUGINS is not set (run the test through ctest)");
    return fs::path(root) / (name + ".so");
}

struct LoadedSdkPlugin {
    faktory_host::testing::TempDir dir;
    plugins::LoadReport report;
    std::shared_ptr<plugins::PluginGeneration> generation;
    std::mutex mutex;
    std::vector<std::string> logs;    // "level|message"
    std::vector<std::string> pushes;  // "jobtype|args|queue", or the whole job's JSON for 1.1 pushes
    std::vector<std::string> plugin_logs;  // "level|plugin|message", from the host handle
    plugins::HostServices services;
    // The host-wide services the loader gives plugins' host handles.
    std::shared_ptr<plugins::HostServices> shared = std::make_shared<plugins::HostServices>();

    // Loads `name` alone; host_api_size 0 = the whole table.
    explicit LoadedSdkPlugin(const std::string& name, std::uint32_t host_api_size = 0,
                             const std::string& config_json = "{}", const std::string& plugin_name = "")
        : LoadedSdkPlugin(std::vector<std::string>{name}, [&](plugins::LoaderOptions& options) {
              options.host_api_size = host_api_size;
              if (!plugin_name.empty()) options.config_json[plugin_name] = config_json;
          }) {}

    // Loads several plugins together: test plugin names, or paths of .so files
    // (the examples); `configure` adjusts the loader's options.
    LoadedSdkPlugin(const std::vector<std::string>& names, const std::function<void(plugins::LoaderOptions&)>& configure) {
        for (const auto& name : names) {
            const fs::path source = name.find('/') != std::string::npos ? fs::path(name) : sdk_test_plugin(name);
            fs::copy_file(source, dir.path() / source.filename());
        }
        plugins::LoaderOptions options;
        options.dir = dir.path();
        configure(options);
        record_into(*shared);
        record_into(services);
        options.services = shared;
        generation = plugins::PluginGeneration::load(options, report);
    }

    // Every service records what it was asked; the bulk push refuses jobtype "Refused".
    void record_into(plugins::HostServices& into) {
        into.log = [this](plugins::LogLevel level, const plugins::JobInput&, std::string_view message) {
            std::lock_guard lock(mutex);
            logs.push_back(std::to_string(static_cast<int>(level)) + "|" + std::string(message));
        };
        into.push = [this](std::string_view jobtype, std::string_view args, std::string_view queue) {
            std::lock_guard lock(mutex);
            pushes.push_back(std::string(jobtype) + "|" + std::string(args) + "|" + std::string(queue));
            return "pushed-" + std::to_string(pushes.size());
        };
        into.push_job = [this](const std::string& job_json) {
            std::lock_guard lock(mutex);
            pushes.push_back(job_json);
            Poco::JSON::Parser parser;
            return parser.parse(job_json).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("jid");
        };
        into.push_bulk = [this](const std::vector<std::string>& jobs) {
            std::lock_guard lock(mutex);
            std::map<std::string, std::string> refused;
            for (const auto& job_json : jobs) {
                Poco::JSON::Parser parser;
                const auto job = parser.parse(job_json).extract<Poco::JSON::Object::Ptr>();
                if (job->getValue<std::string>("jobtype") == "Refused")
                    refused[job->getValue<std::string>("jid")] = "jobtype Refused is refused";
                else
                    pushes.push_back(job_json);
            }
            return refused;
        };
        into.plugin_log = [this](plugins::LogLevel level, std::string_view plugin, std::string_view message) {
            std::lock_guard lock(mutex);
            plugin_logs.push_back(std::to_string(static_cast<int>(level)) + "|" + std::string(plugin) + "|" +
                                  std::string(message));
        };
    }
    std::vector<std::string> snapshot(const std::vector<std::string>& lines) {
        std::lock_guard lock(mutex);
        return lines;
    }

    // Unload before the recorders go: the plugin's threads and shutdown may still push and log.
    ~LoadedSdkPlugin() { generation.reset(); }
    LoadedSdkPlugin(const LoadedSdkPlugin&) = delete;
    LoadedSdkPlugin& operator=(const LoadedSdkPlugin&) = delete;

    std::string load_errors() const {
        std::string all;
        for (const auto& e : report.errors) all += e.message + "\n";
        return all;
    }

    // Runs the job given as the whole JSON object the server would send.
    plugins::JobOutcome run_json(const std::string& job_json, std::stop_token cancel = {}) {
        Poco::JSON::Parser parser;
        const auto job = parser.parse(job_json).extract<Poco::JSON::Object::Ptr>();
        plugins::JobInput input;
        input.jid = job->optValue<std::string>("jid", "jid-1");
        input.jobtype = job->getValue<std::string>("jobtype");
        input.queue = job->optValue<std::string>("queue", "default");
        std::ostringstream args, custom;
        if (job->has("args")) job->getArray("args")->stringify(args); else args << "[]";
        if (job->has("custom")) job->getObject("custom")->stringify(custom); else custom << "{}";
        input.args_json = args.str();
        input.custom_json = custom.str();
        if (job->has("failure")) input.retry_count = job->getObject("failure")->optValue<int>("retry_count", 0);
        input.job_json = [job_json] { return job_json; };
        return generation->run(input, cancel, services);
    }
    plugins::JobOutcome run(const std::string& jobtype, const std::string& args_json = "[]") {
        return run_json("{\"jid\":\"jid-1\",\"jobtype\":\"" + jobtype + "\",\"args\":" + args_json + "}");
    }
};

} // namespace faktory_host::sdk_testing
