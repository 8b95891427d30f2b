// A job as FETCH handed it out, checked before any handler may see it: a
// JSON object with a string jid and jobtype, an args array, and every field
// the host reads of the type Faktory gives it, within the size limit. A
// payload that fails the check still yields its jid when one can be read, so
// the worker can FAIL it (errtype MalformedJob) instead of leaving it to expire.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/job.hpp"

namespace faktory_host::protocol {

struct FetchedJob {
    std::optional<Job> job;  // set when the payload is a well-formed job
    std::string jid;         // the jid whenever it can be read, malformed or not
    std::string problem;     // what is wrong with the payload; empty when well-formed
    std::string excerpt;     // the payload escaped and cut short, for logs; set only when malformed
    std::string payload;     // the payload as received (only its head when oversized): what a give-back PUSHes
    bool well_formed() const { return job.has_value(); }
};

// Checks `payload`. `full_size` is the reply's real length when only its
// first bytes were kept (an oversized reply); it is over `size_limit` then.
FetchedJob check_fetched_job(std::string payload, std::uint64_t full_size, std::uint64_t size_limit);

// The value of the top-level string field `key` of a JSON object, read from
// the start of `text` even when the text is cut short or broken later on;
// std::nullopt when it cannot be read before the first problem.
std::optional<std::string> scan_top_level_string(std::string_view text, std::string_view key);

} // namespace faktory_host::protocol
