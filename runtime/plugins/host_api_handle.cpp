// The 1.1 host handle: push with options and bulk push from anywhere, plugin
// log lines outside jobs, the instance pointer, and cancellation a handler can
// wait on (a timed wait, or an eventfd for poll()).
#include "plugins/host_api_handle.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <stop_token>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/UUIDGenerator.h>

#include "plugins/host_api.hpp"
#include "plugins/push_outcome.hpp"

namespace faktory_host::plugins::handle_api {

namespace {

bool given(const char* text) { return text && *text; }

void copy_text(const std::string& text, char* out, size_t out_size) {
    if (!out || out_size == 0) return;
    const std::size_t n = text.size() < out_size - 1 ? text.size() : out_size - 1;
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

// Reads a member of the plugin's faktory_push only when its size covers it.
template <typename T> T member(const faktory_push& push, T faktory_push::*field, std::size_t offset, T fallback) {
    return offset + sizeof(T) <= push.size ? push.*field : fallback;
}
#define FAKTORY_PUSH_MEMBER(push, name, fallback) \
    member(push, &faktory_push::name, offsetof(faktory_push, name), decltype(faktory_push::name)(fallback))

// A jid with 122 random bits, like Faktory's clients make.
std::string new_jid() {
    std::string text = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    std::string jid;
    for (char c : text)
        if (c != '-') jid += c;
    return jid;
}

// The whole job for PUSH, or std::invalid_argument naming the bad field.
std::string job_json(const faktory_push& push, std::string& jid) {
    if (push.size < offsetof(faktory_push, args_json) + sizeof(push.args_json))
        throw std::invalid_argument("faktory_push.size is too small");
    const char* jobtype = FAKTORY_PUSH_MEMBER(push, jobtype, nullptr);
    if (!given(jobtype)) throw std::invalid_argument("push needs a jobtype");
    Poco::JSON::Object job;
    jid = new_jid();
    job.set("jid", jid);
    job.set("jobtype", std::string(jobtype));
    Poco::JSON::Parser parser;
    const char* args = FAKTORY_PUSH_MEMBER(push, args_json, nullptr);
    try {
        job.set("args", parser.parse(given(args) ? args : "[]").extract<Poco::JSON::Array::Ptr>());
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string(jobtype) + ": args are not a JSON array: " + e.what());
    }
    const char* queue = FAKTORY_PUSH_MEMBER(push, queue, nullptr);
    job.set("queue", std::string(given(queue) ? queue : "default"));
    if (const char* at = FAKTORY_PUSH_MEMBER(push, at, nullptr); given(at)) job.set("at", std::string(at));
    if (const char* custom = FAKTORY_PUSH_MEMBER(push, custom_json, nullptr); given(custom)) {
        try {
            parser.reset();
            job.set("custom", parser.parse(custom).extract<Poco::JSON::Object::Ptr>());
        } catch (const std::exception& e) {
            throw std::invalid_argument(std::string(jobtype) + ": custom is not a JSON object: " + e.what());
        }
    }
    const std::uint32_t set = FAKTORY_PUSH_MEMBER(push, set, 0u);
    if (set & FAKTORY_PUSH_RETRY) job.set("retry", FAKTORY_PUSH_MEMBER(push, retry, 0));
    if (set & FAKTORY_PUSH_RESERVE_FOR) job.set("reserve_for", FAKTORY_PUSH_MEMBER(push, reserve_for, 0));
    if (set & FAKTORY_PUSH_PRIORITY) job.set("priority", FAKTORY_PUSH_MEMBER(push, priority, 0));
    std::ostringstream out;
    job.stringify(out);
    return out.str();
}

int usable(faktory_host_handle* host, char* error, size_t error_size) {
    if (!host) return FAKTORY_INVALID;
    if (!host->open.load()) {
        copy_text("the plugin's host handle is closed (the plugin was shut down)", error, error_size);
        return FAKTORY_TOO_LATE;
    }
    return FAKTORY_OK;
}

// Per job: an eventfd written once the job's stop token fires.
struct CancelWatch {
    int fd = -1;
    std::optional<std::stop_callback<std::function<void()>>> callback;
    ~CancelWatch() {
        callback.reset();  // no write after the close below
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

std::shared_ptr<faktory_host_handle> plugin_handle(std::shared_ptr<const HostServices> services, std::string plugin) {
    auto handle = std::make_shared<faktory_host_handle>();
    handle->owned_services = std::move(services);
    handle->services = handle->owned_services.get();
    handle->plugin = std::move(plugin);
    return handle;
}

void* instance(faktory_job* job) { return job ? job->instance : nullptr; }

faktory_host_handle* job_host(faktory_job* job) {
    if (!job) return nullptr;
    try {
        if (!job->handle) {
            auto handle = std::make_shared<faktory_host_handle>();
            handle->services = &job->services;
            handle->plugin = job->plugin;
            job->handle = std::move(handle);
        }
        return job->handle.get();
    } catch (...) {
        return nullptr;
    }
}

int host_push(faktory_host_handle* host, const faktory_push* push, char* jid_out, size_t jid_out_size, char* error,
              size_t error_size) {
    copy_text("", jid_out, jid_out_size);
    copy_text("", error, error_size);
    if (const int status = usable(host, error, error_size); status != FAKTORY_OK) return status;
    if (!push) return FAKTORY_INVALID;
    try {
        std::string jid;
        const std::string json = job_json(*push, jid);
        if (!host->services || !host->services->push_job) {
            copy_text("this host cannot push jobs here (no producer connection)", error, error_size);
            return FAKTORY_UNAVAILABLE;
        }
        copy_text(host->services->push_job(json), jid_out, jid_out_size);
        return FAKTORY_OK;
    } catch (const PushOutcomeUnknown& e) {
        // Sent, reply lost: the plugin decides; the host does not push a second copy.
        copy_text(e.jid(), jid_out, jid_out_size);
        copy_text(e.what(), error, error_size);
        return FAKTORY_OUTCOME_UNKNOWN;
    } catch (const std::invalid_argument& e) {
        copy_text(e.what(), error, error_size);
        return FAKTORY_INVALID;
    } catch (const std::exception& e) {
        copy_text(e.what(), error, error_size);
    } catch (...) {
        copy_text("push failed", error, error_size);
    }
    return FAKTORY_ERROR;
}

int host_push_bulk(faktory_host_handle* host, const faktory_push* const* jobs, faktory_push_result* const* results,
                   size_t count, char* error, size_t error_size) {
    copy_text("", error, error_size);
    if (const int status = usable(host, error, error_size); status != FAKTORY_OK) return status;
    if ((!jobs || !results) && count) return FAKTORY_INVALID;
    // Writes a result only as far as the plugin's struct reaches.
    auto report = [&](size_t i, int status, const std::string& jid, const std::string& reason) {
        faktory_push_result* out = results[i];
        if (!out || out->size < offsetof(faktory_push_result, status) + sizeof(out->status)) return;
        out->status = status;
        if (out->size >= offsetof(faktory_push_result, jid) + sizeof(out->jid)) copy_text(jid, out->jid, sizeof out->jid);
        if (out->size >= offsetof(faktory_push_result, error) + sizeof(out->error))
            copy_text(reason, out->error, sizeof out->error);
    };
    int batch_status = FAKTORY_OK;
    std::string batch_error;
    try {
        std::vector<std::string> bodies(count), jids(count);
        for (size_t i = 0; i < count; ++i) {
            if (!jobs[i]) throw std::invalid_argument("job " + std::to_string(i) + " is NULL");
            try {
                bodies[i] = job_json(*jobs[i], jids[i]);
            } catch (const std::invalid_argument& e) {
                throw std::invalid_argument("job " + std::to_string(i) + ": " + e.what());
            }
        }
        if (!host->services || !host->services->push_bulk)
            throw std::runtime_error("this host cannot push jobs here (no producer connection)");
        const auto refused = host->services->push_bulk(bodies);
        for (size_t i = 0; i < count; ++i) {
            const auto why = refused.find(jids[i]);
            if (why == refused.end()) report(i, FAKTORY_OK, jids[i], "");
            else report(i, FAKTORY_ERROR, jids[i], why->second);
        }
        return FAKTORY_OK;
    } catch (const std::invalid_argument& e) {
        batch_status = FAKTORY_INVALID;
        batch_error = e.what();
    } catch (const std::exception& e) {
        batch_status = host->services && host->services->push_bulk ? FAKTORY_ERROR : FAKTORY_UNAVAILABLE;
        batch_error = e.what();
    } catch (...) {
        batch_status = FAKTORY_ERROR;
        batch_error = "bulk push failed";
    }
    copy_text(batch_error, error, error_size);
    for (size_t i = 0; i < count; ++i) report(i, batch_status, "", batch_error);
    return batch_status;
}

LogLevel mapped_level(int level) {
    if (level == FAKTORY_LOG_DEBUG) return LogLevel::debug;
    if (level == FAKTORY_LOG_WARNING) return LogLevel::warning;
    if (level == FAKTORY_LOG_ERROR) return LogLevel::error;
    return LogLevel::info;
}

int log_enabled(faktory_host_handle* host, int level) {
    if (!host || !host->services) return 0;
    if (!host->services->log_enabled) return 1;
    try {
        return host->services->log_enabled(mapped_level(level)) ? 1 : 0;
    } catch (...) {
        return 1;
    }
}

void host_log(faktory_host_handle* host, int level, const char* message) {
    if (!host || !host->open.load() || !host->services || !host->services->plugin_log) return;
    try {
        host->services->plugin_log(mapped_level(level), host->plugin, message ? message : "");
    } catch (...) {
        // Logging must never fail the plugin.
    }
}

namespace {

std::vector<std::pair<std::string, std::string>> copy_fields(const char* const* keys, const char* const* values,
                                                             size_t count) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (size_t i = 0; keys && values && i < count; ++i)
        if (keys[i] && *keys[i]) fields.emplace_back(keys[i], values[i] ? values[i] : "");
    return fields;
}

std::string with_fields(const char* message, const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string text = message ? message : "";
    for (const auto& [key, value] : fields) text += " " + key + "=" + value;
    return text;
}

} // namespace

void log_fields(faktory_job* job, int level, const char* message, const char* const* keys, const char* const* values,
                size_t count) {
    if (!job) return;
    try {
        // A line below the level in force is dropped before its fields are copied.
        if (job->services.log_enabled && !job->services.log_enabled(mapped_level(level))) return;
        const auto fields = copy_fields(keys, values, count);
        if (job->services.log_fields) {
            job->services.log_fields(mapped_level(level), &job->input, job->plugin, message ? message : "", fields);
        } else if (job->services.log) {
            job->services.log(mapped_level(level), job->input, with_fields(message, fields));
        }
    } catch (...) {
        // Logging must never fail the job.
    }
}

void host_log_fields(faktory_host_handle* host, int level, const char* message, const char* const* keys,
                     const char* const* values, size_t count) {
    if (!host || !host->open.load() || !host->services) return;
    try {
        if (host->services->log_enabled && !host->services->log_enabled(mapped_level(level))) return;
        const auto fields = copy_fields(keys, values, count);
        if (host->services->log_fields)
            host->services->log_fields(mapped_level(level), nullptr, host->plugin, message ? message : "", fields);
        else if (host->services->plugin_log)
            host->services->plugin_log(mapped_level(level), host->plugin, with_fields(message, fields));
    } catch (...) {
    }
}

int wait_cancelled(faktory_job* job, std::int64_t timeout_ms) {
    if (!job) return 0;
    if (job->cancel.stop_requested()) return 1;
    if (timeout_ms <= 0) return 0;
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    // Wakes on stop_requested() through the token; no spurious early return counts as cancelled.
    wake.wait_for(lock, job->cancel, std::chrono::milliseconds(timeout_ms), [] { return false; });
    return job->cancel.stop_requested() ? 1 : 0;
}

int cancel_fd(faktory_job* job) {
    if (!job) return -1;
    try {
        if (!job->cancel_watch) {
            auto watch = std::make_shared<CancelWatch>();
            watch->fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (watch->fd < 0) return -1;
            const int fd = watch->fd;
            // Runs at once when the job is already cancelled.
            watch->callback.emplace(job->cancel, std::function<void()>([fd] {
                                        const std::uint64_t one = 1;
                                        [[maybe_unused]] const auto written = ::write(fd, &one, sizeof one);
                                    }));
            job->cancel_watch = std::move(watch);
        }
        return std::static_pointer_cast<CancelWatch>(job->cancel_watch)->fd;
    } catch (...) {
        return -1;
    }
}

} // namespace faktory_host::plugins::handle_api
