// The private copy of a plugin that the loader maps. The deployed file is read
// completely into memory first (so what gets checked, pinned and mapped are the
// same bytes, and a file still being written is refused rather than mapped),
// then written to an anonymous in-memory file (memfd) and loaded through its
// /proc/self/fd path. Each copy is a new inode under a new name, so glibc maps
// new code even when the file name is the same as a loaded generation's; the
// copy needs no cleanup and works where /tmp is mounted noexec. Only where
// memfd_create is refused does the copy go to a file in a fallback folder,
// deleted as soon as it is mapped.
#pragma once
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace faktory_host::plugins {

// Larger files are refused before reading: each plugin is held in memory
// twice while it loads, and a sparse or runaway file must not exhaust memory.
inline constexpr long long max_plugin_file_bytes = 1LL << 30;

// The whole content of `file`, read through one descriptor. Throws
// std::runtime_error (saying why) when it is not a regular file, is larger
// than max_plugin_file_bytes, cannot be read, or changed size or modification
// time while it was read.
std::vector<unsigned char> read_whole_plugin_file(const std::filesystem::path& file);

class PrivateCopy {
public:
    // Writes `bytes` to a fresh memfd labelled `label`, or where memfd is
    // refused, to a fresh file in `fallback_dir` (the log says so once).
    // Throws std::runtime_error.
    PrivateCopy(std::span<const unsigned char> bytes, const std::string& label,
                const std::filesystem::path& fallback_dir);
    ~PrivateCopy();  // closes the memfd, removes a fallback file
    PrivateCopy(const PrivateCopy&) = delete;
    PrivateCopy& operator=(const PrivateCopy&) = delete;

    // The path to hand to dlopen.
    const std::filesystem::path& load_path() const { return load_path_; }
    // The name /proc/self/maps shows for the mapped copy (before " (deleted)").
    const std::filesystem::path& mapped_name() const { return mapped_name_; }
    bool in_memory() const { return memfd_ >= 0; }

    // Once mapped, the fallback file can go (the mapping keeps the bytes). A
    // memfd stays open while the image is loaded: its /proc/self/fd/N name must
    // not be reused by a later copy while glibc still knows the image by it.
    void mapped();
    // The image stays mapped for the rest of the process: keep the memfd open forever.
    void keep_forever();

private:
    int memfd_ = -1;
    std::filesystem::path load_path_;
    std::filesystem::path mapped_name_;
    std::filesystem::path fallback_file_;
};

} // namespace faktory_host::plugins
