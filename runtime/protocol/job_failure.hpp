// The failure record Faktory attaches to a job that failed (its `failure`
// member on the wire), in one definition: the client reads it from a fetched
// job, the dev server keeps it on a stored job and writes it back.
#pragma once
#include <string>
#include <vector>

namespace faktory_host::protocol {

struct JobFailure {
    int retry_count = 0;  // failures so far, less one (0 after the first)
    int remaining = 0;    // retries left when it failed
    std::string failed_at;
    std::string next_at;  // empty once it is in the dead set
    std::string message;
    std::string errtype;
    std::vector<std::string> backtrace;
};

} // namespace faktory_host::protocol
