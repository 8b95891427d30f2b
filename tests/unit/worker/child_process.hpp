// A forked child for the crash tests: runs a function in a copy of this
// process with its stderr in a file, and reports how it ended. Real fork,
// real signals: what a crash does to the journal can only be seen from outside.
#pragma once
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace faktory_host::testing {

struct ChildEnd {
    bool signalled = false;
    int signal = 0;     // when signalled
    int exit_code = -1; // when it exited
    std::string stderr_text;
};

class ChildProcess {
public:
    // Starts `body` in a child whose stderr goes to `stderr_file`. When body
    // returns, the child leaves with _exit(0) (no test framework teardown).
    ChildProcess(const std::function<void()>& body, const std::filesystem::path& stderr_file) : stderr_file_(stderr_file) {
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            const int fd = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd >= 0) ::dup2(fd, STDERR_FILENO);
            // Default dispositions, as the host process has them (the test framework installs its own).
            for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(signal, SIG_DFL);
            try {
                body();
            } catch (...) {
                ::_exit(99);
            }
            ::_exit(0);
        }
    }
    ~ChildProcess() {
        if (!ended_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }

    // Waits (bounded) for the child to end.
    ChildEnd wait(std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() >= until) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                ended_ = true;
                throw std::runtime_error("child did not end in time");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ended_ = true;
        ChildEnd end;
        end.signalled = WIFSIGNALED(status);
        if (end.signalled) end.signal = WTERMSIG(status);
        if (WIFEXITED(status)) end.exit_code = WEXITSTATUS(status);
        std::ifstream in(stderr_file_);
        std::ostringstream text;
        text << in.rdbuf();
        end.stderr_text = text.str();
        return end;
    }

private:
    std::filesystem::path stderr_file_;
    pid_t pid_ = -1;
    bool ended_ = false;
};

} // namespace faktory_host::testing
