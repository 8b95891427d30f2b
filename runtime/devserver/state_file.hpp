// The dev server's job state on disk, so `faktory-devserver --state-file`
// comes back after SIGTERM with what Faktory would have kept in its storage:
// queues (with their paused flags), scheduled, retries, dead, reservations
// with their deadlines, the counters, and the clock offset tests may have set.
#pragma once
#include <chrono>
#include <string>

#include "devserver/job_store.hpp"

namespace faktory_host::devserver {

struct SavedState {
    JobStore::Snapshot jobs;
    std::chrono::milliseconds clock_offset{0};
};

// Written to "<path>.tmp" (mode 0600) and renamed over `path`, so a crash
// mid-write leaves the previous file intact. Throws std::runtime_error naming the file.
void write_state_file(const std::string& path, const SavedState& state);

// Throws std::runtime_error naming the file and the offending entry.
SavedState read_state_file(const std::string& path);

} // namespace faktory_host::devserver
