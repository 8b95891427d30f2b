// The host API table: what a plugin's calls through plugin.h do on the host side.
// Every entry catches everything: no C++ exception may reach the plugin's frames.
#include "plugins/host_api.hpp"
#include "plugins/host_api_jobs.hpp"
#include "plugins/host_api_handle.hpp"
#include "plugins/middleware_chain.hpp"

#include <cstring>
#include <exception>
#include <sstream>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

namespace faktory_host::plugins {

namespace {

faktory_string borrowed(const std::string& text) { return faktory_string{text.c_str(), text.size()}; }

const std::string empty_text;

bool text_given(const char* text) { return text && *text; }

int register_handler(faktory_registrar* registrar, const char* jobtype, faktory_handler_fn handler, void* user_data,
                     faktory_destroy_fn destroy) {
    if (!registrar) return FAKTORY_INVALID;
    if (!registrar->open) {
        registrar->last_error = "register_handler called after init returned; register handlers inside init";
        return FAKTORY_TOO_LATE;
    }
    try {
        if (!text_given(jobtype) || !handler) {
            registrar->errors.push_back(!handler ? "registered a null handler for jobtype \"" +
                                                       std::string(jobtype ? jobtype : "") + "\""
                                                 : "registered an empty jobtype");
            registrar->last_error = registrar->errors.back();
            return FAKTORY_INVALID;
        }
        for (const auto& entry : registrar->entries) {
            if (entry.jobtype == jobtype) {
                registrar->errors.push_back("registered jobtype \"" + std::string(jobtype) + "\" twice");
                registrar->last_error = registrar->errors.back();
                return FAKTORY_DUPLICATE;
            }
        }
        registrar->entries.push_back({jobtype, handler, user_data, destroy});
        return FAKTORY_OK;
    } catch (...) {
        return FAKTORY_ERROR;
    }
}

faktory_string jid(const faktory_job* job) { return job ? borrowed(job->input.jid) : borrowed(empty_text); }
faktory_string jobtype(const faktory_job* job) { return job ? borrowed(job->input.jobtype) : borrowed(empty_text); }
faktory_string queue(const faktory_job* job) { return job ? borrowed(job->input.queue) : borrowed(empty_text); }
faktory_string args_json(const faktory_job* job) {
    if (!job) return borrowed(empty_text);
    try {
        return borrowed(job->args_json());
    } catch (...) {
        return borrowed(empty_text);
    }
}
faktory_string custom_json(const faktory_job* job) {
    static const std::string empty_object = "{}";
    if (!job) return borrowed(empty_object);
    try {
        const auto& text = job->custom_json();
        return borrowed(text.empty() ? empty_object : text);
    } catch (...) {
        return borrowed(empty_object);
    }
}

int32_t retry_count(const faktory_job* job) { return job ? job->input.retry_count : 0; }

// Parses args once per job; false (and last_error set) when they are not a JSON array.
bool parse_args(faktory_job& job) {
    if (job.args_state == faktory_job::Args::unparsed) {
        try {
            Poco::JSON::Parser parser;
            const auto& text = job.args_json();
            auto parsed = parser.parse(text.empty() ? "[]" : text);
            if (parsed.type() != typeid(Poco::JSON::Array::Ptr)) throw std::runtime_error("not a JSON array");
            job.args = parsed.extract<Poco::JSON::Array::Ptr>();
            job.args_state = faktory_job::Args::parsed;
        } catch (const std::exception& e) {
            job.last_error = std::string("args are not a JSON array: ") + e.what();
            job.args_state = faktory_job::Args::invalid;
        }
    }
    return job.args_state == faktory_job::Args::parsed;
}

size_t arg_count(faktory_job* job) {
    if (!job || !parse_args(*job)) return 0;
    return job->args->size();
}

// Fills `value` with the element `var`; strings point into the parsed args, which live as long as the job.
void describe(std::forward_list<std::string>& scratch, const Poco::Dynamic::Var& var, faktory_value& value) {
    if (var.isEmpty()) {
        value.type = FAKTORY_VALUE_NULL;
    } else if (var.isBoolean()) {
        value.type = FAKTORY_VALUE_BOOL;
        value.boolean = var.extract<bool>() ? 1 : 0;
    } else if (var.isString()) {
        const auto& text = var.extract<std::string>();
        value.type = FAKTORY_VALUE_STRING;
        value.text = borrowed(text);
    } else if (var.type() == typeid(Poco::JSON::Array::Ptr) || var.type() == typeid(Poco::JSON::Object::Ptr)) {
        value.type = var.type() == typeid(Poco::JSON::Array::Ptr) ? FAKTORY_VALUE_ARRAY : FAKTORY_VALUE_OBJECT;
        std::ostringstream json;
        Poco::JSON::Stringifier::stringify(var, json);
        scratch.push_front(json.str());
        value.text = borrowed(scratch.front());
    } else if (var.isInteger()) {
        // Integers beyond int64 (UInt64 from the parser) are offered as numbers only.
        try {
            value.integer = var.convert<Poco::Int64>();
            value.number = static_cast<double>(value.integer);
            value.type = FAKTORY_VALUE_INTEGER;
        } catch (...) {
            value.number = var.convert<double>();
            value.type = FAKTORY_VALUE_DOUBLE;
        }
    } else if (var.isNumeric()) {
        value.type = FAKTORY_VALUE_DOUBLE;
        value.number = var.convert<double>();
    } else {
        value.type = FAKTORY_VALUE_NULL;
    }
}

// Writes only what the plugin's struct covers; the size field stays the plugin's.
void copy_out(const faktory_value& value, faktory_value& out) {
    const std::uint32_t their_size = out.size;
    std::memcpy(&out, &value, their_size < sizeof(value) ? their_size : sizeof(value));
    out.size = their_size;
}

int arg(faktory_job* job, size_t index, faktory_value* out) {
    if (!job || !out || out->size < sizeof(uint32_t)) return FAKTORY_INVALID;
    try {
        faktory_value value{};
        value.size = sizeof(value);
        int status = FAKTORY_OK;
        if (!parse_args(*job)) {
            status = FAKTORY_INVALID;
        } else if (index >= job->args->size()) {
            value.type = FAKTORY_VALUE_MISSING;
            status = FAKTORY_OUT_OF_RANGE;
        } else {
            describe(job->scratch, *(job->args->begin() + static_cast<std::ptrdiff_t>(index)), value);
        }
        copy_out(value, *out);
        return status;
    } catch (const std::exception& e) {
        job->last_error = e.what();
        return FAKTORY_ERROR;
    } catch (...) {
        return FAKTORY_ERROR;
    }
}

int cancelled(const faktory_job* job) { return job && job->cancel.stop_requested() ? 1 : 0; }

int fail(faktory_job* job, const char* errtype, const char* message, const char* const* backtrace,
         size_t backtrace_count) {
    if (!job) return FAKTORY_INVALID;
    try {
        auto& outcome = job->outcome;
        outcome.status = JobOutcome::Status::fail;
        outcome.errtype = text_given(errtype) ? errtype : "PluginError";
        outcome.message = message ? message : "";
        outcome.backtrace.clear();
        for (size_t i = 0; backtrace && i < backtrace_count; ++i)
            if (backtrace[i]) outcome.backtrace.emplace_back(backtrace[i]);
        job->failed = true;
        return FAKTORY_OK;
    } catch (...) {
        job->failed = true;
        return FAKTORY_ERROR;
    }
}

int push(faktory_job* job, const char* jobtype, const char* args_json, const char* queue, char* jid_out,
         size_t jid_out_size) {
    if (!job) return FAKTORY_INVALID;
    if (jid_out && jid_out_size) jid_out[0] = '\0';
    try {
        if (!text_given(jobtype)) {
            job->last_error = "push needs a jobtype";
            return FAKTORY_INVALID;
        }
        if (!job->services.push) {
            job->last_error = "this host cannot push jobs here (no producer connection)";
            return FAKTORY_UNAVAILABLE;
        }
        auto copy_jid = [&](const std::string& jid) {
            if (!jid_out || !jid_out_size) return;
            const std::size_t n = jid.size() < jid_out_size - 1 ? jid.size() : jid_out_size - 1;
            std::memcpy(jid_out, jid.data(), n);
            jid_out[n] = '\0';
        };
        try {
            copy_jid(job->services.push(jobtype, text_given(args_json) ? args_json : "[]",
                                        text_given(queue) ? queue : "default"));
            return FAKTORY_OK;
        } catch (const PushOutcomeUnknown& e) {
            copy_jid(e.jid());  // so the plugin can look the job up before deciding to push again
            job->last_error = e.what();
            return FAKTORY_OUTCOME_UNKNOWN;
        }
    } catch (const std::exception& e) {
        job->last_error = e.what();
    } catch (...) {
        job->last_error = "push failed";
    }
    return FAKTORY_ERROR;
}

void log(faktory_job* job, int level, const char* message) {
    if (!job || !job->services.log) return;
    LogLevel mapped = LogLevel::info;
    switch (level) {
    case FAKTORY_LOG_DEBUG: mapped = LogLevel::debug; break;
    case FAKTORY_LOG_WARNING: mapped = LogLevel::warning; break;
    case FAKTORY_LOG_ERROR: mapped = LogLevel::error; break;
    default: break;
    }
    try {
        job->services.log(mapped, job->input, message ? message : "");
    } catch (...) {
        // A logging failure must not fail the job, let alone unwind into the plugin.
    }
}

faktory_string last_error(const faktory_job* job) { return job ? borrowed(job->last_error) : borrowed(empty_text); }

int config_value(faktory_registrar* registrar, const char* key, faktory_value* out) {
    if (!registrar || !key || !out || out->size < sizeof(uint32_t)) return FAKTORY_INVALID;
    if (!registrar->open) return FAKTORY_TOO_LATE;
    try {
        if (registrar->config_state == faktory_registrar::Config::unparsed) {
            try {
                Poco::JSON::Parser parser;
                auto parsed = parser.parse(registrar->config_json);
                registrar->config = parsed.extract<Poco::JSON::Object::Ptr>();
                registrar->config_state = faktory_registrar::Config::parsed;
            } catch (const std::exception& e) {
                registrar->config_state = faktory_registrar::Config::invalid;
                registrar->last_error = std::string("the plugin's configuration block is not a JSON object: ") + e.what();
            }
        }
        if (registrar->config_state != faktory_registrar::Config::parsed) return FAKTORY_INVALID;
        faktory_value value{};
        value.size = sizeof(value);
        int status = FAKTORY_OK;
        if (!registrar->config->has(key)) {
            registrar->last_error = std::string("the configuration block has no key \"") + key + "\"";
            value.type = FAKTORY_VALUE_MISSING;
            status = FAKTORY_OUT_OF_RANGE;
        } else {
            const Poco::Dynamic::Var var = registrar->config->get(key);
            describe(registrar->scratch, var, value);
            // get() returned a copy that dies here: keep strings alive in scratch like nested values.
            if (value.type == FAKTORY_VALUE_STRING) {
                registrar->scratch.push_front(std::string(value.text.data, value.text.size));
                value.text = borrowed(registrar->scratch.front());
            }
        }
        copy_out(value, *out);
        return status;
    } catch (...) {
        return FAKTORY_ERROR;
    }
}

const faktory_host_api table = {
    sizeof(faktory_host_api),
    FAKTORY_PLUGIN_ABI_MAJOR,
    FAKTORY_PLUGIN_ABI_MINOR,
    &register_handler,
    &jid,
    &jobtype,
    &queue,
    &args_json,
    &custom_json,
    &retry_count,
    &arg_count,
    &arg,
    &cancelled,
    &fail,
    &push,
    &log,
    &last_error,
    &config_value,
    // 1.1
    &jobs_api::retry_policy,
    &jobs_api::at,
    &jobs_api::created_at,
    &jobs_api::enqueued_at,
    &jobs_api::reserve_for,
    &jobs_api::failure,
    &jobs_api::job_json,
    &jobs_api::registrar_error,
    &handle_api::instance,
    &handle_api::job_host,
    &handle_api::host_push,
    &handle_api::host_push_bulk,
    &handle_api::host_log,
    &handle_api::wait_cancelled,
    &handle_api::cancel_fd,
    &handle_api::log_enabled,
    &middleware_api::register_middleware,
    &middleware_api::call_next,
    &middleware_api::outcome,
    &handle_api::log_fields,
    &handle_api::host_log_fields,
};

} // namespace

const faktory_host_api& host_api() { return table; }

} // namespace faktory_host::plugins

const std::string& faktory_job::args_json() const {
    if (!input.args_text) return input.args_json;
    if (!args_text) args_text = input.args_text();
    return *args_text;
}

const std::string& faktory_job::custom_json() const {
    if (!input.custom_text) return input.custom_json;
    if (!custom_text) custom_text = input.custom_text();
    return *custom_text;
}

faktory_registrar::~faktory_registrar() {
    for (auto& entry : middleware) {
        if (!entry.destroy) continue;
        try {
            entry.destroy(entry.user_data);
        } catch (...) {
        }
    }
    for (auto& entry : entries) {
        if (!entry.destroy) continue;
        try {
            entry.destroy(entry.user_data);
        } catch (...) {
            // A throwing destroy callback is the plugin's bug; unloading goes on.
        }
    }
}
