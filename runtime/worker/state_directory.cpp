// StateDirectory: create (0700), check, lock.
#include "worker/state_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace faktory_host::worker {

namespace fs = std::filesystem;

namespace {

std::string error_text(int error) { return std::strerror(error); }

// Creates the missing folders of `path`, each 0700 (umask permitting less, never more).
void create_private_directories(const fs::path& path) {
    fs::path partial;
    for (const auto& part : path) {
        partial /= part;
        if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
            throw std::runtime_error("cannot create state directory " + path.string() + " (worker.state_dir): " +
                                     partial.string() + ": " + error_text(errno));
    }
}

std::string read_holder_pid(int fd) {
    char text[32] = {};
    const auto n = ::pread(fd, text, sizeof text - 1, 0);
    std::string pid = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.empty() ? "unknown" : pid;
}

} // namespace

StateDirectory::StateDirectory(const fs::path& requested) : path_(fs::absolute(requested).lexically_normal()) {
    const std::string where = "state directory " + path_.string() + " (worker.state_dir)";
    create_private_directories(path_);
    struct stat info {};
    if (::lstat(path_.c_str(), &info) != 0) throw std::runtime_error(where + ": " + error_text(errno));
    if (!S_ISDIR(info.st_mode)) throw std::runtime_error(where + " is not a directory");
    if (info.st_uid != ::geteuid())
        throw std::runtime_error(where + " belongs to uid " + std::to_string(info.st_uid) +
                                 ", not to the host's user (uid " + std::to_string(::geteuid()) +
                                 "); give the host a state directory of its own");
    if (info.st_mode & (S_IWGRP | S_IWOTH))
        throw std::runtime_error(where + " is writable by group or others; chmod 700 " + path_.string());

    const auto lock_file = path_ / "host.lock";
    lock_fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock_fd_ < 0) throw std::runtime_error("cannot open " + lock_file.string() + ": " + error_text(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        const auto holder = read_holder_pid(lock_fd_);
        ::close(lock_fd_);
        lock_fd_ = -1;
        if (error == EWOULDBLOCK)
            throw std::runtime_error(where + " is in use by another faktory-host (pid " + holder +
                                     "); each host needs its own worker.state_dir");
        throw std::runtime_error("cannot lock " + lock_file.string() + ": " + error_text(error));
    }
    ::fchmod(lock_fd_, 0600);
    const auto pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        const int error = errno;
        ::close(lock_fd_);
        throw std::runtime_error("cannot write " + lock_file.string() + ": " + error_text(error));
    }
}

StateDirectory::~StateDirectory() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // closing the only descriptor releases the flock
}

} // namespace faktory_host::worker
