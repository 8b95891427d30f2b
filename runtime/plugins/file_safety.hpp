// The ownership and mode checks that keep the host from running code another
// user could have planted: a plugins directory or .so writable by group or
// others, or owned by neither root nor the host's own user, is refused.
#pragma once
#include <filesystem>
#include <string>

namespace faktory_host::plugins {

// "" when `path` is safe to load code from; otherwise why not and how to fix it.
std::string unsafe_reason(const std::filesystem::path& path);

} // namespace faktory_host::plugins
