// A generation: the set of plugins loaded from the plugins directory at one
// moment, plus its immutable jobtype -> handler map. Running jobs hold a
// shared_ptr to the generation they started on; the images are unloaded
// (shutdown export, then close) only when the last reference goes away.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faktory_host::plugins {

// What the host knows of the job being run; borrowed by the plugin for the call.
struct JobInput {
    std::string jid;
    std::string jobtype;
    std::string queue;
    std::string args_json;    // a JSON array
    std::string custom_json;  // a JSON object, "{}" when absent
    int retry_count = 0;
    // The whole job as a JSON object, built only when a handler asks for more
    // than the fields above (retry, at, failure, ...). Empty: the host has none.
    std::function<std::string()> job_json = nullptr;
    // args and custom as JSON text, built only when a handler asks for them
    // (most never do); the host API keeps each for the rest of the call. Unset:
    // args_json and custom_json above are the job's.
    std::function<std::string()> args_text = nullptr;
    std::function<std::string()> custom_text = nullptr;
};

struct JobOutcome {
    enum class Status { ack, fail };
    Status status = Status::ack;
    std::string errtype;  // set when failed
    std::string message;
    std::vector<std::string> backtrace;
};

enum class LogLevel { debug, info, warning, error };

// Services the worker provides to handlers through the C API table.
struct HostServices {
    // Enqueue a new job; returns its jid. Throws on failure.
    std::function<std::string(std::string_view jobtype, std::string_view args_json, std::string_view queue)> push;
    // A line from a handler, to be logged with the job's jid and jobtype.
    std::function<void(LogLevel, const JobInput&, std::string_view message)> log;
    // SDK 1.1. Enqueue a whole job (a JSON object with jid, jobtype, args and
    // options); returns its jid. Throws on failure.
    std::function<std::string(const std::string& job_json)> push_job;
    // Enqueue jobs in one round trip (PUSHB); returns jid -> reason for each one
    // the server refused. Throws when the whole batch fails.
    std::function<std::map<std::string, std::string>(const std::vector<std::string>& jobs_json)> push_bulk;
    // A line a plugin logs outside any job (init, its own threads).
    std::function<void(LogLevel, std::string_view plugin, std::string_view message)> plugin_log;
    // A line with key/value fields (SDK 1.1), from a job (`job` set) or from the
    // plugin outside jobs (`job` null). Unset: the fields are appended to the
    // message as " key=value" and it goes to log / plugin_log.
    std::function<void(LogLevel, const JobInput* job, std::string_view plugin, std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& fields)>
        log_fields;
    // Whether a line of this level would be written; unset means yes.
    std::function<bool(LogLevel)> log_enabled;
};

struct LoaderOptions {
    std::filesystem::path dir;
    bool check_permissions = true;
    std::map<std::string, std::string> config_json;  // plugin name -> JSON object text
    std::map<std::string, std::string> sha256_pins;  // .so file name -> lowercase hex SHA-256
    // Where private copies go when memfd_create is refused (empty: the temporary folder).
    std::filesystem::path copy_dir;
    // 0: plugins get the whole host API table. Otherwise the table is cut to this
    // size (e.g. FAKTORY_HOST_API_SIZE_1_0), as an older host would hand it: the
    // tests of the version rule use it.
    std::uint32_t host_api_size = 0;
    // What a plugin's host handle (SDK 1.1) pushes and logs through outside a
    // job; null: such calls return FAKTORY_UNAVAILABLE.
    std::shared_ptr<const HostServices> services = nullptr;
    // SDK 1.1 middleware order: "plugin/name" ids run first, in this order; the
    // rest follow in load order. An id no plugin registered is a load error.
    std::vector<std::string> middleware_order = {};
};

struct LoadedPlugin {
    std::string file;  // file name in the plugins dir
    std::string name;
    std::string version;
    std::string sha256;  // lowercase hex, of the very bytes that were loaded
    std::vector<std::string> jobtypes;
    // The name /proc/self/maps shows for the private copy that was mapped
    // ("/memfd:faktory-host-plugins-..." or, where memfd is refused, a file in
    // copy_dir), followed by " (deleted)" while the image stays loaded.
    std::filesystem::path image_path;
};

struct PluginLoadError {
    std::string file;
    std::string message;  // names the file and says what to do
};

struct LoadReport {
    std::vector<LoadedPlugin> plugins;
    std::vector<PluginLoadError> errors;
};

class PluginGeneration {
public:
    // Loads every *.so in options.dir whose name does not start with "." (name
    // order, not recursive) from private copies. Bad plugins are recorded in
    // `report` and skipped; the good ones load. Two files declaring the same
    // plugin name are both refused. Throws std::runtime_error only when the
    // directory itself is unusable (missing, unsafe permissions).
    static std::shared_ptr<PluginGeneration> load(const LoaderOptions& options, LoadReport& report);

    ~PluginGeneration();  // calls each plugin's shutdown export, then unloads
    PluginGeneration(const PluginGeneration&) = delete;
    PluginGeneration& operator=(const PluginGeneration&) = delete;

    // 1, 2, ... per process, given the first time it is asked for: the host asks
    // only of generations it puts into service, so one discarded by a failed
    // reload uses up no number.
    std::uint64_t number() const;
    bool handles(std::string_view jobtype) const;
    std::vector<std::string> jobtypes() const;
    const std::vector<LoadedPlugin>& plugins() const;
    // The name of the plugin that handles `jobtype`; empty when none does.
    const std::string& plugin_of(std::string_view jobtype) const;

    // Runs the handler for job.jobtype. An unknown jobtype, a handler failure or
    // a C++ exception all come back as Status::fail; never throws.
    // `cancel` turns the plugin's cancelled() true.
    JobOutcome run(const JobInput& job, std::stop_token cancel, const HostServices& services) const;

private:
    PluginGeneration();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace faktory_host::plugins
