// A Faktory job (work unit). Backed by the JSON object itself so that fields
// the host does not know survive a fetch -> FAIL/PUSH round trip untouched.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "protocol/job_failure.hpp"

namespace faktory_host::protocol {

// A random job id with at least 96 bits of entropy (hex).
std::string new_jid();

class Job {
public:
    // A new job with a fresh jid, `jobtype`, empty args, queue "default".
    explicit Job(const std::string& jobtype);
    // Wraps a parsed JSON object (as fetched); keeps every field.
    explicit Job(Poco::JSON::Object::Ptr fields);

    // Throws ProtocolError when `json` is not a JSON object.
    static Job from_json(const std::string& json);
    std::string to_json() const;  // compact, no newlines

    std::string jid() const;
    std::string jobtype() const;
    std::string queue() const;  // "default" when absent
    Poco::JSON::Array::Ptr args() const;  // never null
    std::string args_json() const;
    std::optional<int> reserve_for() const;
    std::optional<std::string> at() const;
    std::optional<int> retry() const;
    std::optional<int> backtrace() const;
    Poco::JSON::Object::Ptr custom() const;  // null when absent
    std::optional<std::string> created_at() const;
    std::optional<std::string> enqueued_at() const;
    std::optional<JobFailure> failure() const;
    int retry_count() const;  // failure.retry_count, 0 when never failed

    Job& set_jid(const std::string&);
    Job& set_queue(const std::string&);
    Job& set_args(Poco::JSON::Array::Ptr);
    Job& set_args_json(const std::string& json_array);  // throws ProtocolError if not an array
    Job& set_reserve_for(int seconds);
    Job& set_at(const std::string& rfc3339);
    Job& set_retry(int);
    Job& set_backtrace(int lines);
    Job& set_custom(Poco::JSON::Object::Ptr);

    const Poco::JSON::Object::Ptr& fields() const { return fields_; }

private:
    Poco::JSON::Object::Ptr fields_;
};

} // namespace faktory_host::protocol
