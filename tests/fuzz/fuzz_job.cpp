// libFuzzer target: a fetched job's JSON, then every accessor the host calls on
// it. A job may be refused only with ProtocolError; an accepted one must
// serialize and parse back to the same JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/errors.hpp"
#include "protocol/job.hpp"

using faktory_host::protocol::Job;
using faktory_host::protocol::ProtocolError;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string json(reinterpret_cast<const char*>(data), size);
    try {
        const Job job = Job::from_json(json);
        (void)job.jid();
        (void)job.jobtype();
        (void)job.queue();
        (void)job.args();
        (void)job.args_json();
        (void)job.reserve_for();
        (void)job.at();
        (void)job.retry();
        (void)job.backtrace();
        (void)job.custom();
        (void)job.created_at();
        (void)job.enqueued_at();
        (void)job.failure();
        (void)job.retry_count();
        const std::string text = job.to_json();
        if (Job::from_json(text).to_json() != text) __builtin_trap();
    } catch (const ProtocolError&) {
        // The only way a job may be refused.
    }
    return 0;
}
