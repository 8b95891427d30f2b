// The 1.1 job accessors of the host API table (retry policy, at, reserve_for,
// created_at, enqueued_at, previous failure, the whole job as JSON) and the
// registrar's error text. Kept apart from host_api.cpp so the 1.0 table stays
// as it was and the whole-job parsing lives in one place.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <faktory/plugin.h>

namespace faktory_host::plugins::jobs_api {

// What a job's whole JSON says beyond the 1.0 fields; parsed on first use.
struct JobDetails {
    std::string json;  // the whole job, "{}" when the host has none
    bool has_retry = false;
    std::int32_t retry = 0;
    std::int32_t reserve_for = 0;
    std::string at, created_at, enqueued_at;
    bool has_failure = false;
    std::int32_t failure_retry_count = 0;
    std::string failure_errtype, failure_message, failure_failed_at, failure_next_at;
};

int retry_policy(faktory_job* job, std::int32_t* retry);
faktory_string at(faktory_job* job);
faktory_string created_at(faktory_job* job);
faktory_string enqueued_at(faktory_job* job);
std::int32_t reserve_for(faktory_job* job);
int failure(faktory_job* job, faktory_failure* out);
faktory_string job_json(faktory_job* job);
faktory_string registrar_error(const faktory_registrar* registrar);

} // namespace faktory_host::plugins::jobs_api
