// The checks that keep the host from running code another user could have
// planted or swapped: ownership and modes along the whole path to a plugin
// (as OpenSSH's StrictModes and sudo check them), and the SHA-256 digest that
// plugins.pins compares.
#pragma once
#include <filesystem>
#include <span>
#include <string>

namespace faktory_host::plugins {

// "" when `path` is safe to load code from; otherwise why not and how to fix it.
// Every directory passed through on the way to `path`, following each symlink
// (the plugins folder or a .so may be one), must not be writable by group or
// others unless it is sticky and owned by root (as /tmp is). What the path
// finally resolves to must not be writable by group or others at all, and must
// be owned by root or by the host's own user.
std::string unsafe_reason(const std::filesystem::path& path);

// Lowercase hex SHA-256 of `bytes`: the digest plugins.pins names.
std::string sha256_hex(std::span<const unsigned char> bytes);

} // namespace faktory_host::plugins
