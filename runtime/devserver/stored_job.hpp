// A job as the dev server holds it: the fields Faktory's Go struct keeps (any
// other top-level key is dropped, as Faktory does), plus the JSON text it
// hands out, rendered once per change so FETCH costs no serialization.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "protocol/job_failure.hpp"

namespace faktory_host::devserver {

// A PUSH the server refuses; what() is the text after "-ERR ".
class JobRejected : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct StoredJob {
    std::string jid;
    std::string queue = "default";
    std::string jobtype;
    std::string args_json = "[]";
    std::string created_at;
    std::string enqueued_at;
    std::string at;
    std::int64_t reserve_for = 0;
    int retry = 25;
    std::int64_t backtrace = 0;
    std::optional<protocol::JobFailure> failure;
    std::string custom_json;  // empty = absent (Go omits an empty map too)

    std::string json;  // the rendering of the fields above; call render() after changing them

    void render();
};

constexpr int default_retry = 25;

// Decodes one pushed job the way Faktory's Go decoder does, then applies the
// PUSH checks in Faktory's order. Throws JobRejected with Faktory's messages.
StoredJob job_from_json_object(const Poco::JSON::Object::Ptr& object);
StoredJob job_from_push_argument(const std::string& text);

// "invalid JSON: ..." the way the server words a decoding failure.
std::string invalid_json_message(const std::string& detail);

} // namespace faktory_host::devserver
