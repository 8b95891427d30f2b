// Test helpers shared by the loader's tests: fixture plugin paths, plugins
// directories assembled from them, HostServices that record what handlers do,
// and a count of the process's mappings of a file.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugins/plugin_generation.hpp"

namespace faktory_host::testing {

namespace fs = std::filesystem;

// <build>/tests/fixtures/plugins/<fixture case>/<case>.so
inline fs::path fixture_plugin(const std::string& fixture_case, const std::string& file = "") {
    const char* root = std::getenv("FAKTORY_FIXTURE_PLUGINS");
    if (!root) throw std::runtime_error("FAKTORY_FIXTURE_PLUGINS is not set (run the test through ctest)");
    return fs::path(root) / fixture_case / (file.empty() ? fixture_case + ".so" : file);
}

// Copies fixtures into `dir` the way deployments should: write a temp file, then rename().
inline void deploy(const fs::path& source, const fs::path& dir, const std::string& as = "") {
    const fs::path target = dir / (as.empty() ? source.filename().string() : as);
    const fs::path temp = dir / (".tmp-" + target.filename().string());
    fs::copy_file(source, temp, fs::copy_options::overwrite_existing);
    fs::rename(temp, target);
}

// What handlers logged and pushed, for assertions.
struct RecordingServices {
    std::mutex mutex;
    std::vector<std::string> logs;
    std::vector<std::string> pushes;  // "jobtype|args|queue"
    plugins::HostServices services;

    RecordingServices() {
        services.log = [this](plugins::LogLevel, const plugins::JobInput&, std::string_view message) {
            std::lock_guard lock(mutex);
            logs.emplace_back(message);
        };
        services.push = [this](std::string_view jobtype, std::string_view args, std::string_view queue) {
            std::lock_guard lock(mutex);
            pushes.push_back(std::string(jobtype) + "|" + std::string(args) + "|" + std::string(queue));
            return std::string("pushed-jid-") + std::to_string(pushes.size());
        };
    }
    std::vector<std::string> log_lines() {
        std::lock_guard lock(mutex);
        return logs;
    }
};

inline plugins::JobInput job(const std::string& jobtype, const std::string& args_json = "[]") {
    plugins::JobInput input;
    input.jid = "jid-1";
    input.jobtype = jobtype;
    input.queue = "default";
    input.args_json = args_json;
    input.custom_json = "{}";
    return input;
}

// Lines of /proc/self/maps that map `file` (a deleted file shows with " (deleted)").
inline int mappings_of(const fs::path& file) {
    std::ifstream maps("/proc/self/maps");
    int count = 0;
    for (std::string line; std::getline(maps, line);)
        if (line.find(file.string()) != std::string::npos) ++count;
    return count;
}

} // namespace faktory_host::testing
