// Job: typed accessors over the job's JSON object, which is kept whole.
#include "protocol/job.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/JSONException.h>

#include "protocol/errors.hpp"
#include "protocol/json_text.hpp"
#include "protocol/random_id.hpp"
#include "protocol/resp.hpp"

namespace faktory_host::protocol {

namespace {

Poco::Dynamic::Var parse_json(const std::string& json, const char* what) {
    try {
        return json::parse(json);
    } catch (const Poco::Exception& e) {
        throw ProtocolError(std::string(what) + " is not valid JSON (" + e.displayText() + "): \"" +
                            resp::escape_excerpt(json) + "\"");
    }
}

using json::condense;

// Reads an optional field as T; a field of the wrong type is the peer's fault.
template <typename T>
std::optional<T> optional_field(const Poco::JSON::Object& object, const std::string& key) {
    const Poco::Dynamic::Var* value = json::field(object, key);
    if (!value || value->isEmpty()) return std::nullopt;
    try {
        return value->convert<T>();
    } catch (const Poco::Exception& e) {
        throw ProtocolError("job field \"" + key + "\" has an unexpected type: " + e.displayText());
    }
}

std::vector<std::string> string_array(const Poco::JSON::Object& object, const std::string& key) {
    std::vector<std::string> out;
    const auto array = object.getArray(key);
    if (!array) return out;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto item = array->get(static_cast<unsigned>(i));
        out.push_back(item.isEmpty() ? std::string() : item.convert<std::string>());
    }
    return out;
}

} // namespace

std::string new_jid() { return random_hex_id(128); }

Job::Job(const std::string& jobtype) : fields_(new Poco::JSON::Object) {
    fields_->set("jid", new_jid());
    fields_->set("jobtype", jobtype);
    fields_->set("args", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
    fields_->set("queue", std::string("default"));
}

Job::Job(Poco::JSON::Object::Ptr fields) : fields_(fields ? std::move(fields) : Poco::JSON::Object::Ptr(new Poco::JSON::Object)) {}

Job Job::from_json(const std::string& json) {
    auto object = json::as_object(parse_json(json, "job"));
    if (!object) throw ProtocolError("job is not a JSON object: \"" + resp::escape_excerpt(json) + "\"");
    return Job(std::move(object));
}

std::string Job::to_json() const { return condense(fields_); }

std::string Job::jid() const { return optional_field<std::string>(*fields_, "jid").value_or(""); }
std::string Job::jobtype() const { return optional_field<std::string>(*fields_, "jobtype").value_or(""); }
std::string Job::queue() const {
    auto queue = optional_field<std::string>(*fields_, "queue");
    return queue && !queue->empty() ? *queue : "default";
}

Poco::JSON::Array::Ptr Job::args() const {
    auto args = fields_->getArray("args");
    return args ? args : Poco::JSON::Array::Ptr(new Poco::JSON::Array);
}

std::string Job::args_json() const { return condense(args()); }
std::optional<int> Job::reserve_for() const { return optional_field<int>(*fields_, "reserve_for"); }
std::optional<std::string> Job::at() const { return optional_field<std::string>(*fields_, "at"); }
std::optional<int> Job::retry() const { return optional_field<int>(*fields_, "retry"); }
std::optional<int> Job::backtrace() const { return optional_field<int>(*fields_, "backtrace"); }
Poco::JSON::Object::Ptr Job::custom() const { return fields_->getObject("custom"); }
std::optional<std::string> Job::created_at() const { return optional_field<std::string>(*fields_, "created_at"); }
std::optional<std::string> Job::enqueued_at() const {
    return optional_field<std::string>(*fields_, "enqueued_at");
}

std::optional<JobFailure> Job::failure() const {
    const auto object = fields_->getObject("failure");
    if (!object) return std::nullopt;
    JobFailure failure;
    failure.retry_count = optional_field<int>(*object, "retry_count").value_or(0);
    failure.remaining = optional_field<int>(*object, "remaining").value_or(0);
    failure.failed_at = optional_field<std::string>(*object, "failed_at").value_or("");
    failure.next_at = optional_field<std::string>(*object, "next_at").value_or("");
    failure.message = optional_field<std::string>(*object, "message").value_or("");
    failure.errtype = optional_field<std::string>(*object, "errtype").value_or("");
    failure.backtrace = string_array(*object, "backtrace");
    return failure;
}

int Job::retry_count() const {
    // Only the one field: the rest of the failure record (a backtrace of odd values) must not make it throw.
    const auto object = fields_->getObject("failure");
    return object ? optional_field<int>(*object, "retry_count").value_or(0) : 0;
}

Job& Job::set_jid(const std::string& jid) {
    fields_->set("jid", jid);
    return *this;
}

Job& Job::set_queue(const std::string& queue) {
    fields_->set("queue", queue);
    return *this;
}

Job& Job::set_args(Poco::JSON::Array::Ptr args) {
    fields_->set("args", args ? args : Poco::JSON::Array::Ptr(new Poco::JSON::Array));
    return *this;
}

Job& Job::set_args_json(const std::string& json_array) {
    const auto value = parse_json(json_array, "job args");
    if (value.type() != typeid(Poco::JSON::Array::Ptr))
        throw ProtocolError("job args are not a JSON array: \"" + resp::escape_excerpt(json_array) + "\"");
    return set_args(value.extract<Poco::JSON::Array::Ptr>());
}

Job& Job::set_reserve_for(int seconds) {
    fields_->set("reserve_for", seconds);
    return *this;
}

Job& Job::set_at(const std::string& rfc3339) {
    fields_->set("at", rfc3339);
    return *this;
}

Job& Job::set_retry(int retry) {
    fields_->set("retry", retry);
    return *this;
}

Job& Job::set_backtrace(int lines) {
    fields_->set("backtrace", lines);
    return *this;
}

Job& Job::set_custom(Poco::JSON::Object::Ptr custom) {
    if (custom)
        fields_->set("custom", custom);
    else
        fields_->remove("custom");
    return *this;
}

} // namespace faktory_host::protocol
