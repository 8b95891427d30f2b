// posix_spawn of faktory-host with redirected output and a clean signal state.
#include "harness/host_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/eventually.hpp"

extern char** environ;

namespace faktory_host::testing {

namespace {

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** entry = environ; *entry; ++entry) {
        const std::string line(*entry);
        const auto name = line.substr(0, line.find('='));
        // The test decides where the host connects, not the shell that ran ctest.
        if (name == "FAKTORY_URL" || name == "FAKTORY_PROVIDER" || extra.count(name)) continue;
        out.push_back(line);
    }
    for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

} // namespace

std::filesystem::path HostProcess::binary() {
    const char* path = std::getenv("FAKTORY_HOST_BIN");
    if (!path || !*path) throw std::runtime_error("FAKTORY_HOST_BIN is not set (run the test through ctest)");
    return path;
}

HostProcess::HostProcess(Options options) : options_(std::move(options)) {
    std::vector<std::string> argv_strings{binary().string()};
    argv_strings.insert(argv_strings.end(), options_.arguments.begin(), options_.arguments.end());
    auto env_strings = child_environment(options_.environment);
    auto argv = pointers(argv_strings);
    auto envp = pointers(env_strings);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string input = options_.input ? options_.input->string() : "/dev/null";
    const std::string output = options_.output.string();
    posix_spawn_file_actions_addopen(&actions, 0, input.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    // Nothing else of the test's leaks in: a child holding the dev server's listening socket would
    // keep its port taken (and accept connections nobody serves) across a dev server restart.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    std::string directory;
    if (options_.working_directory) {
        directory = options_.working_directory->string();
        posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
    }

    // Boost.Test and the test itself may have touched the mask or handlers: start the child clean.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    const int error = posix_spawn(&pid_, argv.front(), &actions, &attributes, argv.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) throw std::runtime_error("cannot start " + argv_strings.front() + ": " + std::strerror(error));
}

HostProcess::~HostProcess() {
    if (!exit_code()) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
}

void HostProcess::send(int signal) const { ::kill(pid_, signal); }

std::optional<int> HostProcess::exit_code() {
    if (exit_code_) return exit_code_;
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
        if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) exit_code_ = 128 + WTERMSIG(status);
    } else if (reaped < 0 && errno == ECHILD) {
        exit_code_ = -1;  // somebody else reaped it; cannot happen in these tests
    }
    return exit_code_;
}

int HostProcess::wait_for_exit(std::chrono::milliseconds deadline) {
    eventually([&] { return exit_code().has_value(); }, deadline);
    return exit_code().value_or(still_running);
}

std::string HostProcess::output() const {
    std::ifstream in(options_.output, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Finished run_host_command(const std::vector<std::string>& arguments, const std::filesystem::path& output,
                          const std::map<std::string, std::string>& environment,
                          const std::optional<std::filesystem::path>& input,
                          const std::optional<std::filesystem::path>& working_directory,
                          std::chrono::milliseconds deadline) {
    HostProcess process({arguments, output, environment, input, working_directory});
    const int code = process.wait_for_exit(deadline);
    return {code == HostProcess::still_running ? -1 : code, process.output()};
}

} // namespace faktory_host::testing
