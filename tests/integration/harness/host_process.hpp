// faktory-host as a child process for the integration tests: launched from
// FAKTORY_HOST_BIN with its stdout and stderr in a file (the test's evidence
// when it fails), with default signal dispositions and an empty signal mask,
// and without FAKTORY_URL/FAKTORY_PROVIDER unless the test sets them.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faktory_host::testing {

class HostProcess {
public:
    struct Options {
        std::vector<std::string> arguments;
        std::filesystem::path output;                 // stdout + stderr go here
        std::map<std::string, std::string> environment;  // added to (a cleaned copy of) ours
        std::optional<std::filesystem::path> input;   // stdin; /dev/null when unset
        std::optional<std::filesystem::path> working_directory;
    };

    explicit HostProcess(Options options);
    ~HostProcess();  // SIGKILLs and reaps a child still running
    HostProcess(const HostProcess&) = delete;
    HostProcess& operator=(const HostProcess&) = delete;

    pid_t pid() const { return pid_; }
    void send(int signal) const;
    // The exit code once the child has exited (128 + n when killed by signal n).
    std::optional<int> exit_code();
    // Waits up to `deadline` for the child to exit; returns its exit code, or
    // still_running when it did not exit in time.
    static constexpr int still_running = -1000;
    int wait_for_exit(std::chrono::milliseconds deadline);
    std::string output() const;

    static std::filesystem::path binary();  // $FAKTORY_HOST_BIN

private:
    Options options_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

struct Finished {
    int exit_code = -1;  // -1 when it did not finish in time (it was killed)
    std::string output;
};

// Runs `faktory-host <arguments>` to completion (bounded by `deadline`).
Finished run_host_command(const std::vector<std::string>& arguments, const std::filesystem::path& output,
                          const std::map<std::string, std::string>& environment = {},
                          const std::optional<std::filesystem::path>& input = std::nullopt,
                          const std::optional<std::filesystem::path>& working_directory = std::nullopt,
                          std::chrono::milliseconds deadline = std::chrono::seconds(30));

} // namespace faktory_host::testing
