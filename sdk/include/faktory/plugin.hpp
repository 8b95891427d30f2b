// faktory/plugin.hpp: the C++17 face of the plugin ABI (faktory/plugin.h),
// header-only, no dependencies. A whole plugin:
//
//   #include <faktory/plugin.hpp>
//   FAKTORY_PLUGIN("image-tools", "1.4.0", plugin) {
//       plugin.handle("ResizeImage", [](faktory::Job& job) { auto width = job.arg<std::int64_t>(1); ... });
//   }
//
// Exceptions never cross the C boundary: one thrown by a handler becomes a FAIL
// with errtype = the exception's demangled type name and message = what();
// one thrown while defining the plugin becomes an init error the host reports.
//
// Version rule (see plugin.h): this wrapper starts on any 1.x host. Members
// newer than 1.0 are checked right before each call; a host lacking one gets
// faktory::MissingHostMember naming it, so only the code that needs it fails.
#ifndef FAKTORY_PLUGIN_HPP
#define FAKTORY_PLUGIN_HPP

#include <faktory/json.hpp>
#include <faktory/plugin.h>

#include <cmath>
#include <cstddef>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#if defined(__GNUC__)
#include <cxxabi.h>
#endif

namespace faktory {

enum class LogLevel { debug = FAKTORY_LOG_DEBUG, info = FAKTORY_LOG_INFO, warning = FAKTORY_LOG_WARNING, error = FAKTORY_LOG_ERROR };

// A job argument that is missing or of another type than asked for. Its
// message names the index, the expected and the actual type.
class ArgumentError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// The host refused a call (push, ...); what() carries the host's reason.
class HostError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// push() was sent but its reply was lost: the job may or may not be enqueued
// (FAKTORY_OUTCOME_UNKNOWN). jid() names it; the host did not push it again.
class PushOutcomeUnknown : public HostError {
public:
    PushOutcomeUnknown(const std::string& what, std::string jid) : HostError(what), jid_(std::move(jid)) {}
    const std::string& jid() const noexcept { return jid_; }

private:
    std::string jid_;
};

// The host is older than the SDK and lacks a member the plugin just called.
// what(): "this host's API table (ABI 1.0) has no faktory_host_api.at, added in
// SDK 1.1: upgrade the host, or do not call faktory::Job::at() on it".
class MissingHostMember : public HostError {
public:
    MissingHostMember(const faktory_host_api* host, const char* member, const char* minor, const char* cpp_call)
        : HostError("this host's API table (ABI " + (host ? std::to_string(host->abi_major) + "." +
                                                               std::to_string(host->abi_minor)
                                                         : std::string("unknown")) +
                    ") has no faktory_host_api." + member + ", added in SDK " + minor +
                    ": upgrade the host, or do not call " + cpp_call + " on it") {}
};

// Throws MissingHostMember unless `host` has 1.x member `member` (FAKTORY_HOST_HAS).
#define FAKTORY_REQUIRE_HOST_MEMBER(host, member, minor, cpp_call) \
    do {                                                           \
        if (!FAKTORY_HOST_HAS(host, member))                       \
            throw ::faktory::MissingHostMember(host, #member, minor, cpp_call); \
    } while (0)

// The previous failure of a retried job.
struct Failure {
    int retry_count = 0;  // Faktory's count: 0 after the first failure
    std::string errtype;
    std::string message;
    std::string failed_at;  // RFC 3339, "" if unknown
    std::string next_at;
};

namespace detail {

inline const char* type_name(int type) {
    switch (type) {
    case FAKTORY_VALUE_MISSING: return "nothing (no such argument)";
    case FAKTORY_VALUE_NULL: return "null";
    case FAKTORY_VALUE_BOOL: return "boolean";
    case FAKTORY_VALUE_INTEGER: return "integer";
    case FAKTORY_VALUE_DOUBLE: return "number";
    case FAKTORY_VALUE_STRING: return "string";
    case FAKTORY_VALUE_ARRAY: return "array";
    case FAKTORY_VALUE_OBJECT: return "object";
    default: return "unknown";
    }
}

inline std::string_view view(faktory_string s) { return s.data ? std::string_view(s.data, s.size) : std::string_view(); }

// The readable name of an exception's dynamic type, e.g. "std::invalid_argument".
inline std::string demangled_type_name(const std::type_info& type) {
#if defined(__GNUC__)
    int status = 0;
    char* readable = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
    if (status == 0 && readable) {
        std::string name(readable);
        std::free(readable);
        return name;
    }
    std::free(readable);
#endif
    return type.name();
}

// The readable name of what T accepts, for error messages.
template <typename T> std::string expected_name() {
    if constexpr (std::is_same_v<T, bool>) return "boolean";
    else if constexpr (std::is_integral_v<T>) return "integer";
    else if constexpr (std::is_floating_point_v<T>) return "number";
    else if constexpr (std::is_same_v<T, std::string>) return "string";
    else if constexpr (std::is_same_v<T, Value>) return "any JSON value";
    else if constexpr (is_optional<T>::value) return expected_name<typename T::value_type>() + " or null";
    else if constexpr (is_vector<T>::value) return "array of " + expected_name<typename T::value_type>();
    else if constexpr (is_string_map<T>::value) return "object of " + expected_name<typename T::mapped_type>();
    else return "?";
}

template <typename T> constexpr bool convertible() {
    if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, std::string> || std::is_same_v<T, Value>) return true;
    else if constexpr (is_optional<T>::value) return convertible<typename T::value_type>();
    else if constexpr (is_vector<T>::value) return convertible<typename T::value_type>();
    else if constexpr (is_string_map<T>::value) return convertible<typename T::mapped_type>();
    else return false;
}

template <typename T> [[noreturn]] void wrong_type(const Value& value, const std::string& what) {
    throw ArgumentError(what + ": expected " + expected_name<T>() + ", got " + Value::type_name(value.type()));
}

// `value` as T, or ArgumentError naming `what` ("argument 1", "config key \"x\"",
// "argument 0[2]"), the expected and the actual type, or the range T allows.
template <typename T> T from_value(const Value& value, const std::string& what) {
    static_assert(convertible<T>(), "T must be bool, an integral or floating type, std::string, faktory::Value, "
                                    "or std::optional / std::vector / std::map<std::string, ...> of those");
    if constexpr (std::is_same_v<T, Value>) {
        return value;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!value.is_bool()) wrong_type<T>(value, what);
        return value.as_bool();
    } else if constexpr (std::is_integral_v<T>) {
        using limits = std::numeric_limits<T>;
        auto out_of_range = [&](const std::string& shown) -> ArgumentError {
            return ArgumentError(what + ": " + shown + " is out of range for this " +
                                 std::to_string(sizeof(T) * 8) + "-bit " + (limits::is_signed ? "signed" : "unsigned") +
                                 " integer (" + std::to_string(limits::min()) + ".." + std::to_string(limits::max()) + ")");
        };
        if (value.is_integer()) {
            const std::int64_t n = value.as_int();
            if constexpr (limits::is_signed) {
                if (n < static_cast<std::int64_t>(limits::min()) || n > static_cast<std::int64_t>(limits::max()))
                    throw out_of_range(std::to_string(n));
            } else {
                if (n < 0 || static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(limits::max()))
                    throw out_of_range(std::to_string(n));
            }
            return static_cast<T>(n);
        }
        if (value.is_number()) {
            // A whole number written with a fraction or beyond int64 (e.g. a uint64): accepted when exact.
            const double d = value.as_double();
            if (d != std::floor(d)) wrong_type<T>(value, what);
            if (d < static_cast<double>(limits::min()) || d >= static_cast<double>(limits::max()) + 1.0)
                throw out_of_range(std::to_string(d));
            return static_cast<T>(d);
        }
        wrong_type<T>(value, what);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!value.is_number()) wrong_type<T>(value, what);
        const double d = value.as_double();
        if (std::isfinite(d) && (d > static_cast<double>(std::numeric_limits<T>::max()) ||
                                 d < -static_cast<double>(std::numeric_limits<T>::max())))
            throw ArgumentError(what + ": " + std::to_string(d) + " is out of range for this floating type");
        return static_cast<T>(d);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!value.is_string()) wrong_type<T>(value, what);
        return value.as_string();
    } else if constexpr (is_optional<T>::value) {
        if (value.is_null()) return std::nullopt;
        return from_value<typename T::value_type>(value, what);
    } else if constexpr (is_vector<T>::value) {
        if (!value.is_array()) wrong_type<T>(value, what);
        T out;
        out.reserve(value.size());
        for (std::size_t i = 0; i < value.size(); ++i)
            out.push_back(from_value<typename T::value_type>(value[i], what + "[" + std::to_string(i) + "]"));
        return out;
    } else {
        if (!value.is_object()) wrong_type<T>(value, what);
        T out;
        for (const auto& [key, member] : value.members())
            out.emplace(key, from_value<typename T::mapped_type>(member, what + "[\"" + key + "\"]"));
        return out;
    }
}

// What the host decoded, as a Value (arrays and objects arrive as JSON text).
inline Value to_value(const faktory_value& value) {
    switch (value.type) {
    case FAKTORY_VALUE_BOOL: return Value::of_bool(value.boolean != 0);
    case FAKTORY_VALUE_INTEGER: return Value::of_int(value.integer);
    case FAKTORY_VALUE_DOUBLE: return Value::of_double(value.number);
    case FAKTORY_VALUE_STRING: return Value::of_string(std::string(view(value.text)));
    case FAKTORY_VALUE_ARRAY:
    case FAKTORY_VALUE_OBJECT: return Value::parse(view(value.text));
    default: return Value();
    }
}

// A host value (MISSING included) as T: MISSING is nullopt for optional T, an error otherwise.
template <typename T> T convert(const faktory_value& value, const std::string& what) {
    if (value.type == FAKTORY_VALUE_MISSING) {
        if constexpr (is_optional<T>::value) return std::nullopt;
        else throw ArgumentError(what + ": expected " + expected_name<T>() + ", got nothing (no such argument)");
    }
    // Fast paths for the common scalar cases: no Value built, no extra copy.
    if constexpr (std::is_same_v<T, std::string>) {
        if (value.type == FAKTORY_VALUE_STRING) return std::string(view(value.text));
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        if (value.type == FAKTORY_VALUE_INTEGER) return value.integer;
    } else if constexpr (std::is_same_v<T, double>) {
        if (value.type == FAKTORY_VALUE_INTEGER || value.type == FAKTORY_VALUE_DOUBLE) return value.number;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (value.type == FAKTORY_VALUE_BOOL) return value.boolean != 0;
    }
    return from_value<T>(to_value(value), what);
}

} // namespace detail

// Key/value fields of a structured log line (SDK 1.1): {{"order", id}, {"items", "3"}}.
using LogFields = std::vector<std::pair<std::string, std::string>>;

namespace detail {
struct FieldArrays {
    std::vector<const char*> keys, values;
    explicit FieldArrays(const LogFields& fields) {
        for (const auto& [key, value] : fields) {
            keys.push_back(key.c_str());
            values.push_back(value.c_str());
        }
    }
};
} // namespace detail

// Options for a push (SDK 1.1); unset members leave Faktory's defaults.
struct PushOptions {
    // Default member initialisers, so {"low"} or {.queue = "low"} builds one without -Wextra warnings.
    std::string queue = {};                   // "" = "default"
    std::string at = {};                      // RFC 3339 time to run at; "" = now
    std::optional<int> retry = std::nullopt;  // Faktory's retry policy
    std::optional<int> reserve_for = std::nullopt;
    std::optional<int> priority = std::nullopt;
    std::string custom_json = {};  // a JSON object, or "" for none (Json(...).text() builds one from a std::map)
};

// One job of a bulk push.
struct PushRequest {
    std::string jobtype;
    Json args;
    PushOptions options = {};
};

// One job's result of a bulk push: jid, and error ("" when enqueued).
struct PushResult {
    std::string jid;
    std::string error;
    bool ok() const noexcept { return error.empty(); }
};

// The plugin's handle on the host (SDK 1.1): push and log from init, from a
// handler, or from the plugin's own threads. Cheap to copy; thread-safe.
// Valid from init until shutdown returns.
class Host {
public:
    Host(const faktory_host_api* api, faktory_host_handle* handle) noexcept : api_(api), handle_(handle) {}

    // Enqueues a job: host.push("Report", {sum, "total"}, {.queue = "low"}) or PushOptions set by member.
    // Returns its jid; throws HostError with the host's reason.
    std::string push(const std::string& jobtype, const Json& args, const PushOptions& options = {}) const {
        FAKTORY_REQUIRE_HOST_MEMBER(api_, host_push, "1.1", "faktory::Host::push()");
        Fields fields(jobtype, args, options);
        char jid[128] = {0};
        char error[512] = {0};
        if (api_->host_push(handle_, &fields.c, jid, sizeof jid, error, sizeof error) != FAKTORY_OK)
            throw HostError("push " + jobtype + ": " + error);
        return jid;
    }

    // Enqueues all jobs in one round trip; one result per job, in order.
    // Throws HostError only when the batch as a whole failed.
    std::vector<PushResult> push_bulk(const std::vector<PushRequest>& jobs) const {
        FAKTORY_REQUIRE_HOST_MEMBER(api_, host_push_bulk, "1.1", "faktory::Host::push_bulk()");
        std::deque<Fields> fields;  // never moves its elements: their c members point into them
        for (const auto& job : jobs) fields.emplace_back(job.jobtype, job.args, job.options);
        std::vector<faktory_push_result> results(jobs.size());
        std::vector<const faktory_push*> job_pointers;
        std::vector<faktory_push_result*> result_pointers;
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            results[i].size = sizeof(faktory_push_result);
            job_pointers.push_back(&fields[i].c);
            result_pointers.push_back(&results[i]);
        }
        char error[512] = {0};
        if (api_->host_push_bulk(handle_, job_pointers.data(), result_pointers.data(), jobs.size(), error,
                                 sizeof error) != FAKTORY_OK)
            throw HostError(std::string("bulk push: ") + error);
        std::vector<PushResult> out;
        for (const auto& r : results)
            out.push_back(PushResult{r.jid, r.status == FAKTORY_OK ? std::string() : std::string(r.error)});
        return out;
    }

    void log(std::string_view message) const { log(LogLevel::info, message); }
    void log(LogLevel level, std::string_view message) const {
        FAKTORY_REQUIRE_HOST_MEMBER(api_, host_log, "1.1", "faktory::Host::log()");
        const std::string text(message);
        api_->host_log(handle_, static_cast<int>(level), text.c_str());
    }

    // A line with key/value fields, tagged with the plugin's name.
    void log(LogLevel level, std::string_view message, const LogFields& fields) const {
        FAKTORY_REQUIRE_HOST_MEMBER(api_, host_log_fields, "1.1", "faktory::Host::log(level, message, fields)");
        const std::string text(message);
        detail::FieldArrays arrays(fields);
        api_->host_log_fields(handle_, static_cast<int>(level), text.c_str(), arrays.keys.data(), arrays.values.data(),
                              fields.size());
    }

    // Whether a line of `level` would be written; cheap. Build costly debug text only when it is.
    bool log_enabled(LogLevel level) const {
        FAKTORY_REQUIRE_HOST_MEMBER(api_, log_enabled, "1.1", "faktory::Host::log_enabled()");
        return api_->log_enabled(handle_, static_cast<int>(level)) != 0;
    }

    faktory_host_handle* c_handle() const noexcept { return handle_; }

private:
    // A faktory_push whose strings point into this object.
    struct Fields {
        std::string jobtype, args, queue, at, custom;
        faktory_push c{};
        Fields(const std::string& type, const Json& json, const PushOptions& o)
            : jobtype(type), args(json.text()), queue(o.queue), at(o.at), custom(o.custom_json) {
            if (args.empty() || args.front() != '[')
                throw std::invalid_argument("push " + type + ": args must be a list, e.g. {1, \"two\"}");
            c.size = sizeof(c);
            c.jobtype = jobtype.c_str();
            c.args_json = args.c_str();
            c.queue = queue.c_str();
            c.at = at.c_str();
            c.custom_json = custom.empty() ? nullptr : custom.c_str();
            if (o.retry) c.set |= FAKTORY_PUSH_RETRY, c.retry = *o.retry;
            if (o.reserve_for) c.set |= FAKTORY_PUSH_RESERVE_FOR, c.reserve_for = *o.reserve_for;
            if (o.priority) c.set |= FAKTORY_PUSH_PRIORITY, c.priority = *o.priority;
        }
        Fields(const Fields&) = delete;  // c points into this object
        Fields& operator=(const Fields&) = delete;
    };

    const faktory_host_api* api_;
    faktory_host_handle* handle_;
};

// One running job, borrowed for the handler call. Strings returned by reference
// (string_view) are valid until the handler returns; copy what you keep.
class Job {
public:
    Job(const faktory_host_api* host, faktory_job* job) noexcept : host_(host), job_(job) {}

    std::string_view jid() const { return detail::view(host_->jid(job_)); }
    std::string_view type() const { return detail::view(host_->jobtype(job_)); }
    std::string_view queue() const { return detail::view(host_->queue(job_)); }
    std::string_view args_json() const { return detail::view(host_->args_json(job_)); }
    std::string_view custom_json() const { return detail::view(host_->custom_json(job_)); }
    int retry_count() const { return host_->retry_count(job_); }
    std::size_t arg_count() const { return host_->arg_count(job_); }

    // The argument at `index` as T: bool, any integral or floating type (range
    // checked), std::string, faktory::Value (anything, read-only), std::optional<T>
    // (null or missing -> nullopt), std::vector<T>, std::map<std::string, T>, nested.
    // Throws ArgumentError ("argument 1: expected integer, got string") otherwise.
    template <typename T> T arg(std::size_t index) const {
        faktory_value value{};
        value.size = sizeof(value);
        const int status = host_->arg(job_, index, &value);
        const std::string what = "argument " + std::to_string(index);
        if (status == FAKTORY_INVALID)
            throw ArgumentError(what + ": " + std::string(detail::view(host_->last_error(job_))));
        return detail::convert<T>(value, what);
    }

    // ---- 1.1: the whole job. Each throws MissingHostMember on a 1.0 host. ----

    // The job's retry policy (`retry`), or nullopt when the job has none (Faktory uses 25).
    std::optional<int> retry() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, retry_policy, "1.1", "faktory::Job::retry()");
        std::int32_t retry = 0;
        if (host_->retry_policy(job_, &retry) != FAKTORY_OK) return std::nullopt;
        return retry;
    }
    // RFC 3339 times; empty when the job does not carry them.
    std::string_view at() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, at, "1.1", "faktory::Job::at()");
        return detail::view(host_->at(job_));
    }
    std::string_view created_at() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, created_at, "1.1", "faktory::Job::created_at()");
        return detail::view(host_->created_at(job_));
    }
    std::string_view enqueued_at() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, enqueued_at, "1.1", "faktory::Job::enqueued_at()");
        return detail::view(host_->enqueued_at(job_));
    }
    // Seconds the server holds the job for this run; 0 when the job does not say (Faktory: 1800).
    int reserve_for() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, reserve_for, "1.1", "faktory::Job::reserve_for()");
        return host_->reserve_for(job_);
    }
    // The previous failure of a retried job; nullopt on its first run.
    std::optional<Failure> failure() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, failure, "1.1", "faktory::Job::failure()");
        faktory_failure c{};
        c.size = sizeof(c);
        if (host_->failure(job_, &c) != FAKTORY_OK) return std::nullopt;
        return Failure{c.retry_count, std::string(detail::view(c.errtype)), std::string(detail::view(c.message)),
                       std::string(detail::view(c.failed_at)), std::string(detail::view(c.next_at))};
    }
    // True when a FAIL now would not be retried (Faktory's rule: the job dies
    // once its failure count reaches `retry`; retry 0 discards it).
    bool last_attempt() const {
        const int policy = retry().value_or(25);
        const auto previous = failure();
        const int failures_after_this = previous ? previous->retry_count + 2 : 1;
        return policy <= 0 || failures_after_this > policy;
    }
    // The whole job as the server sent it (a JSON object), and parsed.
    std::string_view json() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, job_json, "1.1", "faktory::Job::json()");
        return detail::view(host_->job_json(job_));
    }
    Value value() const { return Value::parse(json()); }
    // The custom object, parsed.
    Value custom() const { return Value::parse(custom_json()); }

    // ---- 1.1: state, pushing with options, waiting for cancellation. ----

    // The instance the plugin's init set (Plugin::own_instance), as T*; nullptr if none.
    template <typename T> T* instance() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, instance, "1.1", "faktory::Job::instance()");
        return static_cast<T*>(host_->instance(job_));
    }
    // The host handle for this handler (pushes go with the job's services).
    Host host() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, job_host, "1.1", "faktory::Job::host()");
        return Host(host_, host_->job_host(job_));
    }
    // Push with options: job.push("Report", {sum}, opts) with PushOptions opts; opts.queue = "low"; ...
    std::string push(const std::string& jobtype, const Json& args, const PushOptions& options) const {
        return host().push(jobtype, args, options);
    }
    // A job line with key/value fields: job.log(LogLevel::info, "charged", {{"amount", "12.50"}}).
    void log(LogLevel level, std::string_view message, const LogFields& fields) const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, log_fields, "1.1", "faktory::Job::log(level, message, fields)");
        const std::string text(message);
        detail::FieldArrays arrays(fields);
        host_->log_fields(job_, static_cast<int>(level), text.c_str(), arrays.keys.data(), arrays.values.data(),
                          fields.size());
    }

    // Whether a job line of `level` would be written; cheap.
    bool log_enabled(LogLevel level) const { return host().log_enabled(level); }

    // Sleeps up to `timeout`, returning early (true) when the job is cancelled.
    template <typename Rep, typename Period> bool wait_cancelled(std::chrono::duration<Rep, Period> timeout) const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, wait_cancelled, "1.1", "faktory::Job::wait_cancelled()");
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
        return host_->wait_cancelled(job_, static_cast<std::int64_t>(ms)) != 0;
    }
    // A descriptor that turns readable on cancel, for poll() next to your own sockets; the host closes it.
    int cancel_fd() const {
        FAKTORY_REQUIRE_HOST_MEMBER(host_, cancel_fd, "1.1", "faktory::Job::cancel_fd()");
        return host_->cancel_fd(job_);
    }

    // True once the host wants the job to stop; long handlers should poll it and return.
    bool cancelled() const { return host_->cancelled(job_) != 0; }

    // Enqueues a new job with args given as C++ values, written as JSON for you
    // (strings escaped): job.push("Report", {sum, "total"}). Returns its jid.
    std::string push(const std::string& jobtype, const Json& args, const std::string& queue = "") const {
        if (args.text().empty() || args.text().front() != '[')
            throw std::invalid_argument("push " + jobtype + ": args must be a list, e.g. {1, \"two\"}");
        return push_json(jobtype, args.text(), queue);
    }
    // Enqueues a new job whose args are already a JSON array (text); returns its jid.
    template <typename S, typename = std::enable_if_t<std::is_constructible_v<std::string, const S&>>>
    std::string push(const std::string& jobtype, const S& args_json, const std::string& queue = "") const {
        return push_json(jobtype, std::string(args_json), queue);
    }
    // Throws HostError when the host refuses, PushOutcomeUnknown (a HostError)
    // when it was sent but the reply was lost (the host did not send it again).
    std::string push_json(const std::string& jobtype, const std::string& args_json, const std::string& queue = "") const {
        char jid[128] = {0};
        const int status = host_->push(job_, jobtype.c_str(), args_json.c_str(), queue.c_str(), jid, sizeof jid);
        if (status == FAKTORY_OUTCOME_UNKNOWN)
            throw PushOutcomeUnknown("push " + jobtype + ": " + std::string(detail::view(host_->last_error(job_))), jid);
        if (status != FAKTORY_OK)
            throw HostError("push " + jobtype + ": " + std::string(detail::view(host_->last_error(job_))));
        return jid;
    }

    void log(std::string_view message) const { log(LogLevel::info, message); }
    void log(LogLevel level, std::string_view message) const {
        const std::string text(message);  // the C side wants a terminated string
        host_->log(job_, static_cast<int>(level), text.c_str());
    }

    // Fails the job explicitly (with backtrace lines, if any) instead of throwing.
    void fail(const std::string& errtype, const std::string& message, const std::vector<std::string>& backtrace = {}) const {
        std::vector<const char*> lines;
        lines.reserve(backtrace.size());
        for (const auto& line : backtrace) lines.push_back(line.c_str());
        host_->fail(job_, errtype.c_str(), message.c_str(), lines.data(), lines.size());
    }

    faktory_job* c_job() const noexcept { return job_; }
    const faktory_host_api* c_host() const noexcept { return host_; }

private:
    const faktory_host_api* host_;
    faktory_job* job_;
};

using Handler = std::function<void(Job&)>;

// How a job came out of the rest of a middleware chain.
struct Outcome {
    bool ok = true;       // on course to ACK
    std::string errtype;  // when not ok (may be empty when a C handler returned an error status only)
    std::string message;
};

// The rest of a middleware chain (later middleware, then the handler). Call it
// at most once; not calling it skips the handler (throw, or job.fail(), to FAIL).
class Next {
public:
    Next(const faktory_host_api* host, faktory_job* job, faktory_next* next) noexcept
        : host_(host), job_(job), next_(next) {}
    Outcome operator()() {
        status_ = host_->call_next(next_);
        called_ = true;
        faktory_string errtype{}, message{};
        Outcome out;
        out.ok = host_->outcome(job_, &errtype, &message) == FAKTORY_OK && status_ == FAKTORY_OK;
        out.errtype = std::string(detail::view(errtype));
        out.message = std::string(detail::view(message));
        return out;
    }
    bool called() const noexcept { return called_; }
    int status() const noexcept { return status_; }

private:
    const faktory_host_api* host_;
    faktory_job* job_;
    faktory_next* next_;
    bool called_ = false;
    int status_ = FAKTORY_OK;
};

using Middleware = std::function<void(Job&, Next&)>;

namespace detail {

// The plugin's own state; the FAKTORY_PLUGIN macro keeps one per plugin with
// internal linkage (no inline globals, which could become STB_GNU_UNIQUE and pin the library).
struct PluginState {
    const faktory_host_api* host = nullptr;
    std::vector<std::function<void()>> shutdown_hooks;
};

// A registered handler as the host sees it: the user's callable plus the host
// table, so the trampoline needs no global state.
struct HandlerSlot {
    Handler handler;
    const faktory_host_api* host;
};

inline int run_handler(faktory_job* c_job, void* user_data);
inline void destroy_handler(void* user_data) { delete static_cast<HandlerSlot*>(user_data); }

struct MiddlewareSlot {
    Middleware around;
    const faktory_host_api* host;
};

// Runs a C++ middleware; exceptions FAIL the job like a handler's.
inline int run_middleware(faktory_job* c_job, faktory_next* c_next, void* user_data) {
    auto& slot = *static_cast<MiddlewareSlot*>(user_data);
    Job job(slot.host, c_job);
    Next next(slot.host, c_job, c_next);
    try {
        slot.around(job, next);
        return next.called() ? next.status() : FAKTORY_OK;
    } catch (const std::exception& e) {
        const std::string errtype = demangled_type_name(typeid(e));
        slot.host->fail(c_job, errtype.c_str(), e.what(), nullptr, 0);
    } catch (...) {
        slot.host->fail(c_job, "unknown exception", "the middleware threw something that is not a std::exception",
                        nullptr, 0);
    }
    return FAKTORY_ERROR;
}
inline void destroy_middleware(void* user_data) { delete static_cast<MiddlewareSlot*>(user_data); }

} // namespace detail

// What FAKTORY_PLUGIN hands to the plugin's definition block: register handlers here.
class Plugin {
public:
    Plugin(detail::PluginState& state, const faktory_init_args* args) : state_(state), args_(args) {}

    // Registers `handler` (a function or lambda taking faktory::Job&) for `jobtype`.
    // Throws std::invalid_argument when the host refuses (empty or duplicate jobtype).
    template <typename F> void handle(const std::string& jobtype, F&& handler) {
        auto* stored = new detail::HandlerSlot{Handler(std::forward<F>(handler)), args_->host};
        const int status = args_->host->register_handler(args_->registrar, jobtype.c_str(), &detail::run_handler,
                                                         stored, &detail::destroy_handler);
        if (status != FAKTORY_OK) {
            delete stored;  // a failed registration leaves user_data with us
            if (FAKTORY_HOST_HAS(args_->host, registrar_error)) {
                const auto why = detail::view(args_->host->registrar_error(args_->registrar));
                if (!why.empty()) throw std::invalid_argument("cannot register a handler: " + std::string(why));
            }
            throw std::invalid_argument("cannot register a handler for jobtype \"" + jobtype + "\" (" +
                                        (status == FAKTORY_DUPLICATE ? "already registered" : status == FAKTORY_INVALID
                                                                                                   ? "empty jobtype"
                                                                                                   : "refused") +
                                        ")");
        }
    }

    // Registers an "around" hook (1.1) for every job of every plugin, or for
    // `jobtypes` only: fn(job, next) runs code before and after next(), which
    // returns the Outcome; throwing (or job.fail()) without calling next FAILs
    // the job unrun. Runs in the order of the host's plugins.middleware
    // ("<plugin>/<name>"), then in load order.
    void around(const std::string& name, Middleware fn, const std::vector<std::string>& jobtypes = {}) {
        FAKTORY_REQUIRE_HOST_MEMBER(args_->host, register_middleware, "1.1", "faktory::Plugin::around()");
        auto* stored = new detail::MiddlewareSlot{std::move(fn), args_->host};
        std::vector<const char*> types;
        for (const auto& t : jobtypes) types.push_back(t.c_str());
        const int status = args_->host->register_middleware(args_->registrar, name.c_str(), types.data(), types.size(),
                                                            &detail::run_middleware, stored,
                                                            &detail::destroy_middleware);
        if (status != FAKTORY_OK) {
            delete stored;
            throw std::invalid_argument("cannot register middleware \"" + name + "\": " +
                                        std::string(detail::view(args_->host->registrar_error(args_->registrar))));
        }
    }

    // This plugin's configuration block as a JSON object ("{}" when the config has none).
    std::string config_json() const { return std::string(detail::view(args_->config_json)); }

    // A top-level key of the configuration block as T (any type Job::arg takes);
    // `fallback` when the key is absent. A value of another type throws ArgumentError, failing init.
    template <typename T> T config(const std::string& key, T fallback) const {
        std::optional<T> found = lookup<T>(key);
        return found ? std::move(*found) : std::move(fallback);
    }
    // A required key: absent throws ArgumentError (for std::optional<T>, absent is nullopt).
    template <typename T> T config(const std::string& key) const {
        if constexpr (detail::is_optional<T>::value) {
            auto found = lookup<T>(key);
            return found ? std::move(*found) : T();
        } else {
            auto found = lookup<T>(key);
            if (!found) throw ArgumentError("config key \"" + key + "\" is required (" + detail::expected_name<T>() + ")");
            return std::move(*found);
        }
    }
    std::string config(const std::string& key, const char* fallback) const {
        return config<std::string>(key, std::string(fallback));
    }

    // The plugin's handle on the host (1.1): keep it (it is a copyable value) to
    // push and log from init or your own threads until shutdown returns.
    Host host() const {
        if (!FAKTORY_INIT_HAS(args_, host_handle) || !args_->host_handle)
            throw HostError("this host's init block (ABI " + std::to_string(args_->host->abi_major) + "." +
                            std::to_string(args_->host->abi_minor) +
                            ") has no host_handle, added in SDK 1.1: upgrade the host, or do not call "
                            "faktory::Plugin::host() on it");
        return Host(args_->host, args_->host_handle);
    }

    // Hands the plugin's state to the host (1.1): handlers reach it with
    // job.instance<T>(); it is deleted after shutdown and the handlers' state.
    template <typename T> T* own_instance(std::unique_ptr<T> state) {
        if (!FAKTORY_INIT_HAS(args_, instance) || !args_->instance)
            throw HostError("this host's init block has no instance slot, added in SDK 1.1: upgrade the host, or "
                            "do not call faktory::Plugin::own_instance() on it");
        T* raw = state.release();
        args_->instance->instance = raw;
        args_->instance->destroy = [](void* p) { delete static_cast<T*>(p); };
        return raw;
    }

    // Runs `hook` at shutdown: after the plugin's last job returned, before unload.
    void on_shutdown(std::function<void()> hook) { state_.shutdown_hooks.push_back(std::move(hook)); }

    const faktory_host_api* c_host() const noexcept { return args_->host; }

private:
    template <typename T> std::optional<T> lookup(const std::string& key) const {
        faktory_value value{};
        value.size = sizeof(value);
        const int status = args_->host->config_value(args_->registrar, key.c_str(), &value);
        if (status == FAKTORY_OUT_OF_RANGE) return std::nullopt;
        const std::string what = "config key \"" + key + "\"";
        if (status != FAKTORY_OK) {
            std::string why = "the configuration block is not a JSON object";
            if (FAKTORY_HOST_HAS(args_->host, registrar_error)) {
                const auto text = detail::view(args_->host->registrar_error(args_->registrar));
                if (!text.empty()) why = std::string(text);
            }
            throw ArgumentError(what + ": " + why);
        }
        return detail::convert<T>(value, what);
    }

    detail::PluginState& state_;
    const faktory_init_args* args_;
};

namespace detail {

inline void write_error(const faktory_init_args* args, const std::string& text) {
    if (!args->error || args->error_size == 0) return;
    const std::size_t n = text.size() < args->error_size - 1 ? text.size() : args->error_size - 1;
    std::memcpy(args->error, text.data(), n);
    args->error[n] = '\0';
}

inline int run_handler(faktory_job* c_job, void* user_data) {
    auto& slot = *static_cast<HandlerSlot*>(user_data);
    const faktory_host_api* host = slot.host;
    Job job(host, c_job);
    try {
        slot.handler(job);
        return FAKTORY_OK;
    } catch (const std::exception& e) {
        const std::string errtype = demangled_type_name(typeid(e));
        host->fail(c_job, errtype.c_str(), e.what(), nullptr, 0);
    } catch (...) {
        host->fail(c_job, "unknown exception", "the handler threw something that is not a std::exception", nullptr, 0);
    }
    return FAKTORY_ERROR;
}

template <typename Define>
int run_init(PluginState& state, const faktory_init_args* args, Define define) noexcept {
    try {
        // The version rule: any 1.x host will do. Only 1.0's members are needed
        // to start; newer ones are checked where they are called.
        constexpr std::size_t init_args_1_0 = offsetof(faktory_init_args, error_size) + sizeof(std::size_t);
        if (!args || args->size < init_args_1_0 || !args->host) {
            if (args && args->size >= offsetof(faktory_init_args, error_size) + sizeof(std::size_t))
                write_error(args, "host passed an init block smaller than ABI 1.0's");
            return FAKTORY_ERROR;
        }
        if (args->host->abi_major != FAKTORY_PLUGIN_ABI_MAJOR || args->host->size < FAKTORY_HOST_API_SIZE_1_0) {
            write_error(args, "host API table is not ABI " + std::to_string(FAKTORY_PLUGIN_ABI_MAJOR) +
                                  ".x (major " + std::to_string(args->host->abi_major) + ", " +
                                  std::to_string(args->host->size) + " bytes); use a host of the same major");
            return FAKTORY_ERROR;
        }
        state.host = args->host;
        Plugin plugin(state, args);
        define(plugin);
        return FAKTORY_OK;
    } catch (const std::exception& e) {
        write_error(args, demangled_type_name(typeid(e)) + ": " + e.what());
    } catch (...) {
        write_error(args, "unknown exception");
    }
    return FAKTORY_ERROR;
}

inline void run_shutdown(PluginState& state) noexcept {
    for (auto& hook : state.shutdown_hooks) {
        try {
            hook();
        } catch (...) {
            // Nothing may unwind into the host; a failing hook must not stop the others.
        }
    }
    state.shutdown_hooks.clear();
}

} // namespace detail
} // namespace faktory

// Defines the plugin's exports and opens its definition block:
//   FAKTORY_PLUGIN("name", "version", plugin) { plugin.handle("Jobtype", fn); }
// Use it once per plugin, in one source file.
#define FAKTORY_PLUGIN(NAME, VERSION, VAR)                                                                     \
    static void faktory_plugin_define_(::faktory::Plugin& VAR);                                                \
    static ::faktory::detail::PluginState faktory_plugin_state_;                                              \
    extern "C" FAKTORY_PLUGIN_EXPORT const faktory_plugin_info* FAKTORY_PLUGIN_QUERY(void) {                   \
        static const faktory_plugin_info info = {sizeof(faktory_plugin_info), FAKTORY_PLUGIN_ABI_MAJOR,        \
                                                 FAKTORY_PLUGIN_ABI_MINOR, (NAME), (VERSION)};                 \
        return &info;                                                                                          \
    }                                                                                                          \
    extern "C" FAKTORY_PLUGIN_EXPORT int FAKTORY_PLUGIN_INIT(const faktory_init_args* args) {                  \
        return ::faktory::detail::run_init(faktory_plugin_state_, args, &faktory_plugin_define_);              \
    }                                                                                                          \
    extern "C" FAKTORY_PLUGIN_EXPORT void FAKTORY_PLUGIN_SHUTDOWN(void) {                                      \
        ::faktory::detail::run_shutdown(faktory_plugin_state_);                                                \
    }                                                                                                          \
    static void faktory_plugin_define_(::faktory::Plugin& VAR)

#endif // FAKTORY_PLUGIN_HPP
