// A plugin's job input from a job.
#include "worker/job_input.hpp"

#include "protocol/json_text.hpp"

namespace faktory_host::worker {

plugins::JobInput job_input_of(const protocol::Job& job) {
    plugins::JobInput input;
    input.jid = job.jid();
    input.jobtype = job.jobtype();
    input.queue = job.queue();
    input.retry_count = job.retry_count();
    // The JSON texts are condensed only if a handler asks (through the host API,
    // which keeps each for the call): re-serialising args and custom for every
    // job cost more than dispatching it. The lambdas hold a pointer, not a copy
    // of the job, so std::function keeps them without allocating.
    const protocol::Job* source = &job;
    input.args_text = [source] { return source->args_json(); };
    input.custom_text = [source] {
        const auto custom = source->custom();
        return custom ? protocol::json::condense(custom) : std::string("{}");
    };
    input.job_json = [source] { return source->to_json(); };
    return input;
}

} // namespace faktory_host::worker
