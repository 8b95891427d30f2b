// A WorkerHost run in this process against any server URL (a scripted
// Faktory or the dev server), with the worker fixture plugin installed in a
// private plugins folder. Tests tune `config` and `connection` before start().
#pragma once
#include <atomic>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "logging/logging.hpp"
#include "protocol/client.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"
#include "worker/worker_host.hpp"

namespace faktory_host::testing {

struct HostUnderTest {
    TempDir dir;
    config::Config config;
    protocol::ClientOptions connection;
    std::unique_ptr<worker::WorkerHost> host;
    std::thread runner;
    std::atomic<int> exit_code{-1};
    std::exception_ptr error;

    explicit HostUnderTest(const std::string& url) {
        // The engine's own account of each test, shown by ctest --output-on-failure.
        logging::configure_logging("debug", false);
        namespace fs = std::filesystem;
        fs::create_directories(dir / "plugins");
        fs::copy_file(FIXTURE_PLUGIN, dir / "plugins" / fs::path(FIXTURE_PLUGIN).filename());
        config.plugins.dir = dir / "plugins";
        config.plugins.check_permissions = false;
        config.worker.pools = {config::PoolConfig{"default", 1, config::QueueSelection{}}};
        config.worker.heartbeat_interval = std::chrono::milliseconds(200);
        config.worker.shutdown_timeout = std::chrono::milliseconds(1000);
        config.worker.state_dir = dir / "state";  // private: parallel tests never share a journal or its lock
        connection.url = protocol::ServerUrl::parse(url);
        connection.read_timeout = std::chrono::milliseconds(5000);
    }

    ~HostUnderTest() {
        if (runner.joinable()) {
            host->request_terminate();
            runner.join();
        }
    }

    void start() {
        host = std::make_unique<worker::WorkerHost>(config, connection);
        runner = std::thread([this] {
            try {
                exit_code = host->run();
            } catch (...) {
                error = std::current_exception();
                exit_code = 99;
            }
        });
    }

    int terminate_and_wait() {
        host->request_terminate();
        runner.join();
        if (error) std::rethrow_exception(error);
        return exit_code;
    }

    static std::string quoted(const std::filesystem::path& path) { return "\"" + path.string() + "\""; }
};

// The lines of a text file (none when it does not exist).
inline std::vector<std::string> file_lines(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

} // namespace faktory_host::testing
