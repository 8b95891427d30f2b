// A plugin's job input from a job.
#include "worker/job_input.hpp"

#include <string_view>

#include "protocol/json_text.hpp"

namespace faktory_host::worker {

namespace {

// The job's string fields, found in one walk over its object (a lookup per
// field walked it once each). A field that is absent or not a plain string is
// left to the Job's accessor, which owns the rules for those.
struct PlainFields {
    const std::string* jid = nullptr;
    const std::string* jobtype = nullptr;
    const std::string* queue = nullptr;
    bool has_failure = false;

    explicit PlainFields(const Poco::JSON::Object& object) {
        for (const auto& [name, value] : object) {
            const std::string_view key = name;
            if (key == "jid") jid = text(value);
            else if (key == "jobtype") jobtype = text(value);
            else if (key == "queue") queue = text(value);
            else if (key == "failure") has_failure = true;
        }
    }

    static const std::string* text(const Poco::Dynamic::Var& value) {
        return value.type() == typeid(std::string) ? &value.extract<std::string>() : nullptr;
    }
};

} // namespace

plugins::JobInput job_input_of(const protocol::Job& job) {
    plugins::JobInput input;
    const PlainFields fields(*job.fields());
    input.jid = fields.jid ? *fields.jid : job.jid();
    input.jobtype = fields.jobtype ? *fields.jobtype : job.jobtype();
    input.queue = fields.queue && !fields.queue->empty() ? *fields.queue : job.queue();
    input.retry_count = fields.has_failure ? job.retry_count() : 0;
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
