// The one failure of HostServices::push the plugin must be able to tell
// apart: the PUSH was sent, but its reply was lost. Header-only, free of the
// SDK, so the worker's producer pool can throw it.
#pragma once
#include <stdexcept>
#include <string>

namespace faktory_host::plugins {

// Thrown by HostServices::push when the PUSH was sent but its reply was lost:
// the job may or may not be enqueued. The plugin gets FAKTORY_OUTCOME_UNKNOWN
// (and the jid in jid_out), so it can decide rather than push a duplicate.
class PushOutcomeUnknown : public std::runtime_error {
public:
    PushOutcomeUnknown(std::string jid, const std::string& why)
        : std::runtime_error("outcome unknown for job " + jid + ": " + why), jid_(std::move(jid)) {}
    const std::string& jid() const { return jid_; }

private:
    std::string jid_;
};

} // namespace faktory_host::plugins
