// A private directory (mode 0700, fresh name) that plugin files are copied into
// before loading. glibc hands back the image already mapped for the same path
// or inode, so each generation must load from copies with new names to run new
// code; the copies are deleted as soon as they are mapped.
#pragma once
#include <filesystem>
#include <string>

namespace faktory_host::plugins {

class ShadowDirectory {
public:
    ShadowDirectory();   // creates <tmp>/faktory-host-plugins-XXXXXX; throws std::runtime_error
    ~ShadowDirectory();  // removes it and anything left in it
    ShadowDirectory(const ShadowDirectory&) = delete;
    ShadowDirectory& operator=(const ShadowDirectory&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Copies `source` in under `name`; returns the copy's path. Throws std::runtime_error.
    std::filesystem::path copy_in(const std::filesystem::path& source, const std::string& name) const;

private:
    std::filesystem::path path_;
};

// Lowercase hex SHA-256 of a file's bytes. Throws std::runtime_error.
std::string sha256_of_file(const std::filesystem::path& file);

} // namespace faktory_host::plugins
