// The result ledger on disk: what was still undelivered when the host exited
// (ACKs, FAILs, give-backs with their payload), so the next start can send it
// first. One JSON file, mode 0600, replaced atomically (temporary file,
// fsync, rename), so a crash mid-save leaves the previous file whole.
#pragma once
#include <filesystem>
#include <vector>

#include "worker/result_ledger.hpp"

namespace faktory_host::worker {

// Writes every pending result of `ledger` to `path` (an empty ledger writes an
// empty list). Throws std::runtime_error naming the file on any failure.
void save(const ResultLedger& ledger, const std::filesystem::path& path);

// The results saved at `path`; none when the file does not exist. Throws
// std::runtime_error naming the file and the entry when it cannot be read.
std::vector<PendingResult> load(const std::filesystem::path& path);

} // namespace faktory_host::worker
