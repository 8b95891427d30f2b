// A plugin's job input from a job.
#include "worker/job_input.hpp"

#include "protocol/json_text.hpp"

namespace faktory_host::worker {

plugins::JobInput job_input_of(const protocol::Job& job) {
    plugins::JobInput input;
    input.jid = job.jid();
    input.jobtype = job.jobtype();
    input.queue = job.queue();
    input.args_json = job.args_json();
    if (const auto custom = job.custom()) {
        input.custom_json = protocol::json::condense(custom);
    } else {
        input.custom_json = "{}";
    }
    input.retry_count = job.retry_count();
    // The whole job is serialised only if a handler asks for it (SDK 1.1 accessors).
    input.job_json = [job] { return job.to_json(); };
    return input;
}

} // namespace faktory_host::worker
