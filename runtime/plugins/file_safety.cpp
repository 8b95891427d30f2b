// unsafe_reason() and sha256_hex(): who may have written the code the host loads.
#include "plugins/file_safety.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <system_error>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

namespace faktory_host::plugins {

namespace fs = std::filesystem;

namespace {

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

const char* const how_to_opt_out = " (or set plugins.check_permissions: false if you accept the risk)";

// Like `path`, or "`path` (which resolves to `resolved`)" when a symlink was followed.
std::string naming(const fs::path& path, const fs::path& resolved) {
    if (fs::absolute(path).lexically_normal() == resolved) return path.string();
    return path.string() + " (which resolves to " + resolved.string() + ")";
}

// A directory someone passes through to reach `path`: whoever can write it can
// swap the name that leads on. Sticky and root-owned (like /tmp) protects the
// names of other users' entries, which is what the host's own entries are.
std::string ancestor_reason(const fs::path& dir, const struct stat& st, const fs::path& path) {
    if (!(st.st_mode & (S_IWGRP | S_IWOTH))) return "";
    if ((st.st_mode & S_ISVTX) && st.st_uid == 0) return "";
    return dir.string() + ", a folder on the way to " + path.string() + ", is writable by " +
           ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " + octal_mode(st.st_mode) +
           ") and is not a sticky folder owned by root, so another user could replace what " + path.string() +
           " leads to; fix: chmod go-w " + dir.string() + " (or move the plugins elsewhere)" + how_to_opt_out;
}

// What the path finally names (the plugins folder or a plugin file).
std::string target_reason(const fs::path& resolved, const fs::path& path) {
    struct stat st {};
    if (::stat(resolved.c_str(), &st) != 0) return "cannot stat " + naming(path, resolved) + ": " + std::strerror(errno);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return naming(path, resolved) + " is writable by " + ((st.st_mode & S_IWOTH) ? "others" : "its group") +
               " (mode " + octal_mode(st.st_mode) + "), so another user could replace code the host runs; fix: chmod go-w " +
               resolved.string() + how_to_opt_out;
    const uid_t self = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != self)
        return naming(path, resolved) + " is owned by uid " + std::to_string(st.st_uid) +
               ", which is neither root nor the host's user (uid " + std::to_string(self) +
               "); fix: chown root (or the host's user) " + resolved.string() + how_to_opt_out;
    return "";
}

void push_front_components(std::deque<std::string>& pending, const fs::path& relative) {
    std::deque<std::string> parts;
    for (const auto& part : relative.relative_path()) parts.push_back(part.string());
    pending.insert(pending.begin(), parts.begin(), parts.end());
}

} // namespace

std::string unsafe_reason(const fs::path& path) {
    std::error_code error;
    const fs::path absolute = fs::absolute(path, error);
    if (error) return "cannot resolve " + path.string() + ": " + error.message();

    // Resolve the path one name at a time, as the kernel does, checking every
    // directory looked into on the way: the lexical ancestors and those of
    // each symlink's target alike.
    std::deque<std::string> pending;
    push_front_components(pending, absolute);
    fs::path at = "/";
    int symlinks_followed = 0;
    for (;;) {
        struct stat st {};
        if (::stat(at.c_str(), &st) != 0) return "cannot stat " + at.string() + ": " + std::strerror(errno);
        if (pending.empty()) return target_reason(at, path);
        if (auto reason = ancestor_reason(at, st, path); !reason.empty()) return reason;

        std::string name;
        while (!pending.empty() && (name = pending.front(), pending.pop_front(), name.empty() || name == ".")) name.clear();
        if (name.empty()) return target_reason(at, path);
        if (name == "..") {
            at = at.parent_path();
            continue;
        }
        const fs::path next = at / name;
        struct stat link {};
        if (::lstat(next.c_str(), &link) != 0) return "cannot stat " + next.string() + ": " + std::strerror(errno);
        if (S_ISLNK(link.st_mode)) {
            if (++symlinks_followed > 40) return path.string() + ": too many levels of symbolic links";
            const fs::path target = fs::read_symlink(next, error);
            if (error) return "cannot read the symlink " + next.string() + ": " + error.message();
            push_front_components(pending, target);
            if (target.is_absolute()) at = "/";
            continue;  // `at` is looked at again: harmless, and it may have changed to "/"
        }
        if (pending.empty()) return target_reason(next, path);
        if (!S_ISDIR(link.st_mode)) return next.string() + " is not a directory (on the way to " + path.string() + ")";
        at = next;
    }
}

std::string sha256_hex(std::span<const unsigned char> bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes.data(), bytes.size());
    return Poco::DigestEngine::digestToHex(engine.digest());
}

} // namespace faktory_host::plugins
