// PrivateCopy and read_whole_plugin_file(): the bytes the loader checks and maps.
#include "plugins/private_copy.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <Poco/Logger.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // Linux 6.3+: ask for an executable memfd where vm.memfd_noexec would seal it
#endif

namespace faktory_host::plugins {

namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

class Descriptor {
public:
    explicit Descriptor(int fd) : fd_(fd) {}
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

void write_all(int fd, std::span<const unsigned char> bytes, const std::string& where) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) throw std::runtime_error("cannot write the private copy " + where + ": " + errno_text());
        done += static_cast<std::size_t>(wrote);
    }
}

bool same_moment(const struct timespec& a, const struct timespec& b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// An executable memfd, or -1 with errno set when the kernel refuses one.
int executable_memfd(const std::string& label) {
    // The kernel caps memfd names at 249 bytes; the label is for people reading /proc/PID/maps.
    const std::string name = label.substr(0, 240);
    int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) fd = ::memfd_create(name.c_str(), MFD_CLOEXEC);  // kernel older than 6.3
    return fd;
}

void log_fallback_once(const std::string& why, const fs::path& dir) {
    static std::atomic<bool> said{false};
    if (said.exchange(true)) return;
    Poco::Logger::get("faktory.plugins")
        .warning("plugin copies cannot be made in memory (" + why + "); copying them to files in " + dir.string() +
                 " instead (plugins.copy_dir); that folder must allow executable mappings (not mounted noexec)");
}

std::atomic<unsigned long> fallback_sequence{0};

} // namespace

std::vector<unsigned char> read_whole_plugin_file(const fs::path& file) {
    Descriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw std::runtime_error("cannot open it: " + errno_text());
    struct stat before {};
    if (::fstat(fd.get(), &before) != 0) throw std::runtime_error("cannot stat it: " + errno_text());
    if (!S_ISREG(before.st_mode)) throw std::runtime_error("not a regular file; remove it from the plugins directory");
    if (before.st_size > max_plugin_file_bytes)
        throw std::runtime_error("refused: it is " + std::to_string(before.st_size) + " bytes, more than the " +
                                 std::to_string(max_plugin_file_bytes >> 20) +
                                 " MiB a plugin may have (it is read into memory whole); strip debug info "
                                 "(strip --strip-debug) or remove it");

    std::vector<unsigned char> bytes(static_cast<std::size_t>(before.st_size));
    std::size_t done = 0;
    for (;;) {
        if (done == bytes.size()) bytes.resize(bytes.size() + 4096);  // room to notice a file that grew
        const ssize_t got = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw std::runtime_error("cannot read it: " + errno_text());
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
    }
    bytes.resize(done);

    struct stat after {};
    if (::fstat(fd.get(), &after) != 0) throw std::runtime_error("cannot stat it: " + errno_text());
    const auto expected = static_cast<std::size_t>(before.st_size);
    if (done != expected || after.st_size != before.st_size || !same_moment(after.st_mtim, before.st_mtim))
        throw std::runtime_error("refused: it changed while it was read (" + std::to_string(expected) + " bytes at the start, " +
                                 std::to_string(done) + " read, " + std::to_string(after.st_size) +
                                 " at the end), so it is still being written; deploy plugins by writing a hidden "
                                 "temporary file (.name.so.tmp) and rename()-ing it into place");
    return bytes;
}

PrivateCopy::PrivateCopy(std::span<const unsigned char> bytes, const std::string& label, const fs::path& fallback_dir) {
    Descriptor memfd(executable_memfd(label));
    std::string refused;
    if (memfd.get() < 0) {
        refused = "memfd_create: " + errno_text();
    } else {
        const fs::path proc_path = "/proc/self/fd/" + std::to_string(memfd.get());
        if (::access(proc_path.c_str(), R_OK) != 0) {
            refused = "cannot reach the memfd as " + proc_path.string() + ": " + errno_text() + "; is /proc mounted?";
        } else {
            write_all(memfd.get(), bytes, "in memory");
            load_path_ = proc_path;
            mapped_name_ = "/memfd:" + label.substr(0, 240);
            memfd_ = memfd.release();
            return;
        }
    }

    log_fallback_once(refused, fallback_dir);
    // pid + sequence: a name no other copy of this process has had, so glibc never
    // confuses this copy with an image it already holds under the same path.
    fallback_file_ = fallback_dir / ("faktory-host-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(++fallback_sequence) + "-" + label);
    Descriptor file(::open(fallback_file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (file.get() < 0) {
        const std::string reason = errno_text();
        fallback_file_.clear();
        throw std::runtime_error("cannot create a private copy in " + fallback_dir.string() + " (plugins.copy_dir): " +
                                 reason);
    }
    try {
        write_all(file.get(), bytes, fallback_file_.string());
    } catch (...) {
        mapped();
        throw;
    }
    load_path_ = fallback_file_;
    mapped_name_ = fallback_file_;
}

PrivateCopy::~PrivateCopy() {
    if (memfd_ >= 0) ::close(memfd_);
    mapped();
}

void PrivateCopy::mapped() {
    if (fallback_file_.empty()) return;
    std::error_code ignored;
    fs::remove(fallback_file_, ignored);
    fallback_file_.clear();
}

void PrivateCopy::keep_forever() { memfd_ = -1; }

} // namespace faktory_host::plugins
