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
#ifndef FAKTORY_PLUGIN_HPP
#define FAKTORY_PLUGIN_HPP

#include <faktory/plugin.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
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

// A job argument or config value as T, or ArgumentError naming `what`, the expected and the actual type.
template <typename T> T convert(const faktory_value& value, const std::string& what) {
    static_assert(std::is_same_v<T, std::string> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
                      std::is_same_v<T, bool>,
                  "T must be std::string, std::int64_t, double or bool");
    const char* expected = "boolean";
    if constexpr (std::is_same_v<T, std::string>) {
        if (value.type == FAKTORY_VALUE_STRING) return std::string(view(value.text));
        expected = "string";
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        if (value.type == FAKTORY_VALUE_INTEGER) return value.integer;
        expected = "integer";
    } else if constexpr (std::is_same_v<T, double>) {
        if (value.type == FAKTORY_VALUE_DOUBLE || value.type == FAKTORY_VALUE_INTEGER) return value.number;
        expected = "number";
    } else {
        if (value.type == FAKTORY_VALUE_BOOL) return value.boolean != 0;
    }
    throw ArgumentError(what + ": expected " + expected + ", got " + type_name(value.type));
}

} // namespace detail

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

    // The argument at `index` as std::string, std::int64_t, double or bool.
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

    // True once the host wants the job to stop; long handlers should poll it and return.
    bool cancelled() const { return host_->cancelled(job_) != 0; }

    // Enqueues a new job; returns its jid. Throws HostError when the host refuses,
    // PushOutcomeUnknown (a HostError) when it was sent but the reply was lost.
    std::string push(const std::string& jobtype, const std::string& args_json, const std::string& queue = "") const {
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
            delete stored;
            throw std::invalid_argument("cannot register a handler for jobtype \"" + jobtype + "\" (" +
                                        (status == FAKTORY_DUPLICATE ? "already registered" : status == FAKTORY_INVALID
                                                                                                   ? "empty jobtype"
                                                                                                   : "refused") +
                                        ")");
        }
    }

    // This plugin's configuration block as a JSON object ("{}" when the config has none).
    std::string config_json() const { return std::string(detail::view(args_->config_json)); }

    // A top-level key of the configuration block as T (std::string, std::int64_t, double, bool);
    // `fallback` when the key is absent. A value of another type throws ArgumentError, failing init.
    template <typename T> T config(const std::string& key, T fallback) const {
        faktory_value value{};
        value.size = sizeof(value);
        const int status = args_->host->config_value(args_->registrar, key.c_str(), &value);
        if (status == FAKTORY_OUT_OF_RANGE) return fallback;
        const std::string what = "config key \"" + key + "\"";
        if (status != FAKTORY_OK) throw ArgumentError(what + ": the configuration block is not a JSON object");
        return detail::convert<T>(value, what);
    }
    std::string config(const std::string& key, const char* fallback) const {
        return config<std::string>(key, std::string(fallback));
    }

    // Runs `hook` at shutdown: after the plugin's last job returned, before unload.
    void on_shutdown(std::function<void()> hook) { state_.shutdown_hooks.push_back(std::move(hook)); }

    const faktory_host_api* c_host() const noexcept { return args_->host; }

private:
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
        if (!args || args->size < sizeof(faktory_init_args) || !args->host) {
            if (args) write_error(args, "host passed an init block older than this SDK");
            return FAKTORY_ERROR;
        }
        if (args->host->abi_major != FAKTORY_PLUGIN_ABI_MAJOR || args->host->size < sizeof(faktory_host_api)) {
            write_error(args, "host API table is older than this plugin's SDK (ABI " +
                                  std::to_string(FAKTORY_PLUGIN_ABI_MAJOR) + "." +
                                  std::to_string(FAKTORY_PLUGIN_ABI_MINOR) + "); upgrade the host");
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
