// Decoding, validation and Go-order rendering of stored jobs.
#include "devserver/stored_job.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>

#include "devserver/go_json.hpp"
#include "devserver/server_clock.hpp"
#include "protocol/json_text.hpp"

namespace faktory_host::devserver {

namespace {

const char* json_kind(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) return "object";
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) return "array";
    if (value.isString()) return "string";
    if (value.isBoolean()) return "bool";
    if (value.isNumeric()) return "number";
    return "null";
}

[[noreturn]] void type_error(const std::string& go_struct, const std::string& key, const Poco::Dynamic::Var& value,
                             const std::string& go_type) {
    throw JobRejected(invalid_json_message("json: cannot unmarshal " + std::string(json_kind(value)) +
                                           " into Go struct field " + go_struct + "." + key + " of type " +
                                           go_type));
}

// Go decodes null into any field as "leave it alone".
bool present(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    return object->has(key) && !object->get(key).isEmpty();
}

std::string string_field(const Poco::JSON::Object::Ptr& object, const std::string& key,
                         const std::string& go_struct = "Job") {
    if (!present(object, key)) return {};
    const auto value = object->get(key);
    if (!value.isString()) type_error(go_struct, key, value, "string");
    return value.extract<std::string>();
}

// Go's int fields take integer literals only: 25.0 is a decoding error there too.
std::int64_t int_field(const Poco::JSON::Object::Ptr& object, const std::string& key, std::int64_t fallback,
                       const std::string& go_struct = "Job") {
    if (!present(object, key)) return fallback;
    const auto value = object->get(key);
    if (!value.isInteger()) type_error(go_struct, key, value, "int");
    return value.convert<std::int64_t>();
}

std::vector<std::string> string_list(const Poco::JSON::Object::Ptr& object, const std::string& key,
                                     const std::string& go_struct) {
    std::vector<std::string> lines;
    if (!present(object, key)) return lines;
    const auto value = object->get(key);
    if (value.type() != typeid(Poco::JSON::Array::Ptr)) type_error(go_struct, key, value, "[]string");
    const auto array = value.extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto line = array->get(static_cast<unsigned>(i));
        if (!line.isString()) type_error(go_struct, key, line, "string");
        lines.push_back(line.extract<std::string>());
    }
    return lines;
}

protocol::JobFailure failure_from_object(const Poco::JSON::Object::Ptr& object) {
    protocol::JobFailure failure;
    failure.retry_count = static_cast<int>(int_field(object, "retry_count", 0, "Failure"));
    failure.remaining = static_cast<int>(int_field(object, "remaining", 0, "Failure"));
    failure.failed_at = string_field(object, "failed_at", "Failure");
    failure.next_at = string_field(object, "next_at", "Failure");
    failure.message = string_field(object, "message", "Failure");
    failure.errtype = string_field(object, "errtype", "Failure");
    failure.backtrace = string_list(object, "backtrace", "Failure");
    return failure;
}

void append_key(std::string& out, const char* key) {
    out += '"';
    out += key;
    out += "\":";
}

void append_string_member(std::string& out, const char* key, const std::string& value) {
    out += ',';
    append_key(out, key);
    append_go_json_string(out, value);
}

} // namespace

std::string invalid_json_message(const std::string& detail) { return "invalid JSON: " + detail; }

StoredJob job_from_json_object(const Poco::JSON::Object::Ptr& object) {
    StoredJob job;
    job.jid = string_field(object, "jid");
    job.queue = string_field(object, "queue");
    job.jobtype = string_field(object, "jobtype");
    bool has_args = false;
    if (present(object, "args")) {
        const auto args = object->get("args");
        if (args.type() != typeid(Poco::JSON::Array::Ptr)) type_error("Job", "args", args, "[]interface {}");
        job.args_json = to_go_json(args);
        has_args = true;
    }
    job.created_at = string_field(object, "created_at");
    job.enqueued_at = string_field(object, "enqueued_at");
    job.at = string_field(object, "at");
    job.reserve_for = int_field(object, "reserve_for", 0);
    job.retry = static_cast<int>(int_field(object, "retry", default_retry));
    job.backtrace = int_field(object, "backtrace", 0);
    if (present(object, "failure")) {
        const auto failure = object->get("failure");
        if (failure.type() != typeid(Poco::JSON::Object::Ptr)) type_error("Job", "failure", failure, "client.Failure");
        job.failure = failure_from_object(failure.extract<Poco::JSON::Object::Ptr>());
    }
    if (present(object, "custom")) {
        const auto custom = object->get("custom");
        if (custom.type() != typeid(Poco::JSON::Object::Ptr))
            type_error("Job", "custom", custom, "map[string]interface {}");
        if (custom.extract<Poco::JSON::Object::Ptr>()->size() > 0) job.custom_json = to_go_json(custom);
    }

    // Faktory's checks, in its order and words.
    if (job.jid.size() < 8) throw JobRejected("jobs must have a reasonable jid parameter");
    if (job.jobtype.empty()) throw JobRejected("jobs must have a jobtype parameter");
    if (!has_args) throw JobRejected("jobs must have an args parameter");
    if (job.reserve_for > 86400) throw JobRejected("jobs cannot be reserved for more than one day");
    if (!job.at.empty() && !parse_rfc3339(job.at))
        throw JobRejected("invalid timestamp for 'at': \"" + job.at + "\": not an RFC 3339 time");
    if (job.queue.empty()) job.queue = "default";
    return job;
}

StoredJob job_from_push_argument(const std::string& text) {
    Poco::Dynamic::Var parsed;
    try {
        parsed = protocol::json::parse(text);
    } catch (const Poco::Exception& e) {
        throw JobRejected(invalid_json_message(e.displayText()));
    }
    auto object = protocol::json::as_object(parsed);
    if (!object)
        throw JobRejected(invalid_json_message("json: cannot unmarshal " + std::string(json_kind(parsed)) +
                                               " into Go value of type client.Job"));
    return job_from_json_object(object);
}

void StoredJob::render() {
    std::string out;
    out.reserve(jid.size() + jobtype.size() + args_json.size() + custom_json.size() + 160);
    out += '{';
    append_key(out, "jid");
    append_go_json_string(out, jid);
    append_string_member(out, "queue", queue);
    append_string_member(out, "jobtype", jobtype);
    out += ",\"args\":";
    out += args_json;
    if (!created_at.empty()) append_string_member(out, "created_at", created_at);
    if (!enqueued_at.empty()) append_string_member(out, "enqueued_at", enqueued_at);
    if (!at.empty()) append_string_member(out, "at", at);
    if (reserve_for != 0) out += ",\"reserve_for\":" + std::to_string(reserve_for);
    out += ",\"retry\":" + std::to_string(retry);
    if (backtrace != 0) out += ",\"backtrace\":" + std::to_string(backtrace);
    if (failure) {
        out += ",\"failure\":{\"retry_count\":" + std::to_string(failure->retry_count);
        out += ",\"remaining\":" + std::to_string(failure->remaining);
        append_string_member(out, "failed_at", failure->failed_at);
        if (!failure->next_at.empty()) append_string_member(out, "next_at", failure->next_at);
        if (!failure->message.empty()) append_string_member(out, "message", failure->message);
        if (!failure->errtype.empty()) append_string_member(out, "errtype", failure->errtype);
        if (!failure->backtrace.empty()) {
            out += ",\"backtrace\":[";
            for (std::size_t i = 0; i < failure->backtrace.size(); ++i) {
                if (i > 0) out += ',';
                append_go_json_string(out, failure->backtrace[i]);
            }
            out += ']';
        }
        out += '}';
    }
    if (!custom_json.empty()) {
        out += ",\"custom\":";
        out += custom_json;
    }
    out += '}';
    json = std::move(out);
}

} // namespace faktory_host::devserver
