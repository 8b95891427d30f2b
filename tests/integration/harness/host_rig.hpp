// The stage of a process-level test: a dev server in this process (loopback,
// free ports), a private directory with a plugins folder and a config file,
// and faktory-host launched against them. Assertions read the dev server's
// state. When the test has failed, the destructor prints the host's output.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "devserver/dev_server.hpp"
#include "harness/host_process.hpp"
#include "support/temp_dir.hpp"

namespace faktory_host::testing {

// Where the fixture plugins were built (compile definitions from CMake).
std::filesystem::path fixture_plugin(const std::string& variant);  // "v1", "v2", "broken"

class HostRig {
public:
    explicit HostRig(const std::string& server_password = "");
    ~HostRig();
    HostRig(const HostRig&) = delete;
    HostRig& operator=(const HostRig&) = delete;

    devserver::DevServer& server() { return *server_; }
    const std::filesystem::path& dir() const { return dir_.path(); }
    std::filesystem::path plugins_dir() const { return dir() / "plugins"; }
    std::filesystem::path path(const std::string& name) const { return dir() / name; }
    std::string url() const { return server_->url(); }

    // Deploys `source` into the plugins dir as `name` the safe way: write a
    // temp file next to it, chmod 0755, rename over the old one.
    void install_plugin(const std::filesystem::path& source, const std::string& name = "host_fixture.so");

    // Writes `faktory-host.yaml`: the dev server's URL, the plugins dir,
    // heartbeat 5s, shutdown_timeout 2s, and `worker_yaml` (indented lines
    // under `worker:`; default: concurrency 2, queues [default]).
    std::filesystem::path write_config(const std::string& worker_yaml = "  concurrency: 2\n  queues: [default]\n");
    std::filesystem::path write_file(const std::string& name, const std::string& text);

    // Starts `faktory-host --config <config> <extra>`; its output goes to host.log.
    HostProcess& start_host(const std::vector<std::string>& extra = {});
    HostProcess& host() { return *host_; }
    // Runs a subcommand to completion (in `working_directory`, default the
    // test's dir); its output goes to command-<n>.log.
    Finished run_command(const std::vector<std::string>& arguments,
                         const std::map<std::string, std::string>& environment = {},
                         const std::optional<std::filesystem::path>& input = std::nullopt,
                         const std::optional<std::filesystem::path>& working_directory = std::nullopt);

    // Waits until exactly one worker is registered in `state`, other than
    // `not_wid`; returns its wid ("" when none showed up in time).
    std::string wait_for_worker(const std::string& state = "running", const std::string& not_wid = "");
    std::string worker_state(const std::string& wid);

    // Pushes a job through a producer connection; returns its jid.
    std::string push(const std::string& jobtype, const std::string& args_json = "[]",
                     const std::string& queue = "default");

    std::int64_t processed();
    Poco::JSON::Array::Ptr stats_array(const std::string& name);
    std::int64_t queue_size(const std::string& queue);
    // The retry set's failure record of `jid`, or null.
    Poco::JSON::Object::Ptr failure_of(const std::string& jid);
    bool working(const std::string& jid);

    // POST /workers/<wid|all>/<action> on the dev server's control port; returns the HTTP status.
    int control(const std::string& wid, const std::string& action);

    // A JSON string literal of `path`, for job args.
    static std::string quoted(const std::filesystem::path& path);
    static std::vector<std::string> lines(const std::filesystem::path& file);

    std::string diagnostics() const;

private:
    TempDir dir_;
    std::unique_ptr<devserver::DevServer> server_;
    std::unique_ptr<HostProcess> host_;
    std::vector<std::string> command_logs_;
    int commands_run_ = 0;
};

} // namespace faktory_host::testing
