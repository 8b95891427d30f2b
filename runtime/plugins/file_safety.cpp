// unsafe_reason(): ownership and permission rules for plugin files and their directory.
#include "plugins/file_safety.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace faktory_host::plugins {

namespace {

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

const char* const how_to_opt_out = " (or set plugins.check_permissions: false if you accept the risk)";

} // namespace

std::string unsafe_reason(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "cannot stat " + path.string() + ": " + std::strerror(errno);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return path.string() + " is writable by " + ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " +
               octal_mode(st.st_mode) + "), so another user could replace code the host runs; fix: chmod go-w " +
               path.string() + how_to_opt_out;
    const uid_t self = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != self)
        return path.string() + " is owned by uid " + std::to_string(st.st_uid) +
               ", which is neither root nor the host's user (uid " + std::to_string(self) +
               "); fix: chown root (or the host's user) " + path.string() + how_to_opt_out;
    return "";
}

} // namespace faktory_host::plugins
