// The 1.1 job accessors: everything a handler may want to know about its job
// beyond jid/type/queue/args/custom, read from the whole job's JSON, which is
// built and parsed only when a handler first asks (most never do).
#include "plugins/host_api_jobs.hpp"

#include <cstring>
#include <limits>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "plugins/host_api.hpp"

namespace faktory_host::plugins::jobs_api {

namespace {

faktory_string borrowed(const std::string& text) { return faktory_string{text.c_str(), text.size()}; }

std::string text_field(const Poco::JSON::Object& object, const std::string& key) {
    if (!object.has(key)) return "";
    const auto value = object.get(key);
    return value.isString() ? value.extract<std::string>() : "";
}

// An integer field clamped into int32; nullopt-like `found` false when absent or not a number.
bool int_field(const Poco::JSON::Object& object, const std::string& key, std::int32_t& out) {
    if (!object.has(key)) return false;
    const auto value = object.get(key);
    if (!value.isNumeric()) return false;
    const double number = value.convert<double>();
    constexpr double low = std::numeric_limits<std::int32_t>::min(), high = std::numeric_limits<std::int32_t>::max();
    out = static_cast<std::int32_t>(number < low ? low : number > high ? high : number);
    return true;
}

// The job's details, parsed once. A job whose JSON cannot be read has none
// (the 1.0 fields still come from JobInput, so the handler can run).
const JobDetails& details(faktory_job& job) {
    if (job.details) return *job.details;
    auto parsed = std::make_shared<JobDetails>();
    parsed->json = job.input.job_json ? job.input.job_json() : std::string();
    if (parsed->json.empty()) parsed->json = "{}";
    try {
        Poco::JSON::Parser parser;
        const auto object = parser.parse(parsed->json).extract<Poco::JSON::Object::Ptr>();
        parsed->has_retry = int_field(*object, "retry", parsed->retry);
        int_field(*object, "reserve_for", parsed->reserve_for);
        parsed->at = text_field(*object, "at");
        parsed->created_at = text_field(*object, "created_at");
        parsed->enqueued_at = text_field(*object, "enqueued_at");
        if (object->has("failure") && object->get("failure").type() == typeid(Poco::JSON::Object::Ptr)) {
            const auto failure = object->getObject("failure");
            parsed->has_failure = true;
            int_field(*failure, "retry_count", parsed->failure_retry_count);
            parsed->failure_errtype = text_field(*failure, "errtype");
            parsed->failure_message = text_field(*failure, "message");
            parsed->failure_failed_at = text_field(*failure, "failed_at");
            parsed->failure_next_at = text_field(*failure, "next_at");
        }
    } catch (const std::exception& e) {
        job.last_error = std::string("the job's JSON cannot be read: ") + e.what();
    }
    job.details = std::move(parsed);
    return *job.details;
}

const std::string empty_text;

} // namespace

int retry_policy(faktory_job* job, std::int32_t* retry) {
    if (!job || !retry) return FAKTORY_INVALID;
    try {
        const auto& d = details(*job);
        *retry = d.has_retry ? d.retry : 0;
        return d.has_retry ? FAKTORY_OK : FAKTORY_OUT_OF_RANGE;
    } catch (...) {
        return FAKTORY_ERROR;
    }
}

// The string accessors: "" (never NULL) when the job lacks the field or the host fails.
#define FAKTORY_STRING_ACCESSOR(name)                    \
    faktory_string name(faktory_job* job) {              \
        if (!job) return borrowed(empty_text);           \
        try {                                            \
            return borrowed(details(*job).name);         \
        } catch (...) {                                  \
            return borrowed(empty_text);                 \
        }                                                \
    }
FAKTORY_STRING_ACCESSOR(at)
FAKTORY_STRING_ACCESSOR(created_at)
FAKTORY_STRING_ACCESSOR(enqueued_at)
#undef FAKTORY_STRING_ACCESSOR

std::int32_t reserve_for(faktory_job* job) {
    if (!job) return 0;
    try {
        return details(*job).reserve_for;
    } catch (...) {
        return 0;
    }
}

int failure(faktory_job* job, faktory_failure* out) {
    if (!job || !out || out->size < sizeof(std::uint32_t)) return FAKTORY_INVALID;
    try {
        const auto& d = details(*job);
        faktory_failure filled{};
        filled.size = sizeof(filled);
        filled.errtype = borrowed(d.failure_errtype);
        filled.message = borrowed(d.failure_message);
        filled.failed_at = borrowed(d.failure_failed_at);
        filled.next_at = borrowed(d.failure_next_at);
        filled.retry_count = d.failure_retry_count;
        if (!d.has_failure) filled = faktory_failure{};
        // Only what the plugin's struct covers; its size stays its own.
        const std::uint32_t their_size = out->size;
        std::memcpy(out, &filled, their_size < sizeof(filled) ? their_size : sizeof(filled));
        out->size = their_size;
        return d.has_failure ? FAKTORY_OK : FAKTORY_OUT_OF_RANGE;
    } catch (...) {
        return FAKTORY_ERROR;
    }
}

faktory_string job_json(faktory_job* job) {
    if (!job) return borrowed(empty_text);
    try {
        return borrowed(details(*job).json);
    } catch (...) {
        return borrowed(empty_text);
    }
}

faktory_string registrar_error(const faktory_registrar* registrar) {
    return registrar ? borrowed(registrar->last_error) : borrowed(empty_text);
}

} // namespace faktory_host::plugins::jobs_api
