// One log line written from a dying process: async-signal-safe (a fixed
// buffer on the stack, clock_gettime, prctl and write(2); no malloc, no stdio,
// no locks), shaped like the host's other log lines (text or JSON, as
// log.format says) so log shippers and readers see it with the rest.
#pragma once
#include <cstddef>
#include <initializer_list>

#include "crash/activity.hpp"

namespace faktory_host::crash {

// Chosen by the host once logging is configured; text until then.
void set_log_format_json(bool json) noexcept;

// Decimal text of `value` in a caller-owned buffer, for message parts.
class NumberText {
public:
    explicit NumberText(long long value) noexcept;
    const char* c_str() const noexcept { return text_; }

private:
    char text_[24];
};

// Writes one FATAL line from logger "faktory.crash" to `fd`: the message is
// `parts` concatenated; jid and jobtype come from `activity` when it has them.
// Long text is cut short rather than allocated for.
void write_crash_line(int fd, const Activity* activity, std::initializer_list<const char*> parts) noexcept;

// "SIGSEGV" etc. for the fatal signals, else "signal"; and a few words on what it means.
const char* signal_name(int signal) noexcept;
const char* signal_meaning(int signal) noexcept;

} // namespace faktory_host::crash
