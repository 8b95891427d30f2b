// The `faktory:` section: server URL, password (inline or from a file), TLS.
// Nothing here may put the password into an error message.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "config/sections.hpp"

namespace faktory_host::config {

namespace {

// A secret belongs in a file only its owner can read; anything looser is
// refused rather than warned about, since a warning in a log is easily missed.
constexpr std::size_t max_password_bytes = 64 * 1024;

std::string describe_mode(mode_t mode) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode & 07777));
    return octal;
}

std::string read_password_file(const ConfigNode& node) {
    const auto path = node.as_path();
    // Built by appending: GCC 12's -Wrestrict misfires on `"literal" + string` at -O3.
    std::string quoted = "'";
    quoted.append(path.string()).append("'");
    // Open first, then check what was opened: no window between check and read.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) node.fail("cannot read password file " + quoted + ": " + std::strerror(errno));
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat info {};
    if (::fstat(fd, &info) != 0) node.fail("cannot read password file " + quoted + ": " + std::strerror(errno));
    if (S_ISDIR(info.st_mode)) node.fail("password file " + quoted + " is a folder; name the file inside it");
    if (!S_ISREG(info.st_mode)) node.fail("password file " + quoted + " is not a regular file");
    const bool group = (info.st_mode & S_IRGRP) != 0;
    const bool others = (info.st_mode & S_IROTH) != 0;
    if (group || others) {
        const std::string who = group && others ? "group and others" : group ? "group" : "others";
        node.fail("password file " + quoted + " is readable by " + who + " (mode " + describe_mode(info.st_mode) +
                  "); run chmod 600 on it");
    }
    if (static_cast<std::uintmax_t>(info.st_size) > max_password_bytes)
        node.fail("password file " + quoted + " is larger than 64 KiB; it should hold only the password");

    std::string password(max_password_bytes + 1, '\0');
    std::size_t used = 0;
    while (used < password.size()) {
        const ssize_t got = ::read(fd, password.data() + used, password.size() - used);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) node.fail("cannot read password file " + quoted + ": " + std::strerror(errno));
        if (got == 0) break;
        used += static_cast<std::size_t>(got);
    }
    if (used > max_password_bytes)
        node.fail("password file " + quoted + " is larger than 64 KiB; it should hold only the password");
    password.resize(used);
    // Files written by `echo` end in a newline that is not part of the password.
    const auto first = password.find_first_not_of(" \t\r\n");
    const auto last = password.find_last_not_of(" \t\r\n");
    password = first == std::string::npos ? "" : password.substr(first, last - first + 1);
    if (password.empty()) node.fail("password file " + quoted + " is empty");
    return password;
}

TlsConfig read_tls(const ConfigNode& node) {
    node.expect_keys({"verify", "ca_file"});
    TlsConfig tls;
    if (auto verify = node.child("verify")) tls.verify = verify->as_bool();
    if (auto ca_file = node.child("ca_file")) tls.ca_file = ca_file->as_path().string();
    return tls;
}

} // namespace

FaktoryConfig read_faktory_section(const ConfigNode& section) {
    section.expect_keys({"url", "password", "password_file", "tls"});
    FaktoryConfig faktory;

    if (auto url = section.child("url")) {
        // The URL may carry a password (tcp://:secret@host), so it is never echoed.
        const auto text = url->as_string();
        if (text.rfind("tcp://", 0) != 0 && text.rfind("tcp+tls://", 0) != 0)
            url->fail("must start with tcp:// or tcp+tls://");
        faktory.url = text;
        // The URL is parsed fully where it is used (protocol::ServerUrl); its errors get this prefix.
        faktory.url_location = url->location() + url->path() + ": ";
    }

    const auto password = section.child("password");
    const auto password_file = section.child("password_file");
    if (password && password_file)
        password_file->fail("give either faktory.password or faktory.password_file, not both");
    if (password) faktory.password = password->as_string();
    if (password_file) faktory.password = read_password_file(*password_file);

    if (auto tls = section.child("tls")) faktory.tls = read_tls(*tls);
    return faktory;
}

} // namespace faktory_host::config
