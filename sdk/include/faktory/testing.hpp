// faktory/testing.hpp: a test kit for plugin authors, header-only C++17, no
// dependencies beyond the SDK (no Poco, no server). It plays the host in
// process: loads your plugin (the built .so, or the plugin's source linked into
// the test), runs jobs given as JSON through the same C ABI the real host
// uses, and records the outcome (ACK, or FAIL with errtype and message), the
// jobs pushed and the lines logged, so a test can assert them:
//
//   #include <faktory/testing.hpp>
//   auto host = faktory::testing::PluginHost::load("hello.so");
//   auto result = host.run("Hello", R"(["Ann"])");
//   if (!result.acked() || result.logs.at(0).message != "Hello, Ann!") return 1;
//
// Build and register such a test with faktory_add_plugin_test(name plugin test.cpp)
// from the CMake package. Pushes are recorded, never sent.
#ifndef FAKTORY_TESTING_HPP
#define FAKTORY_TESTING_HPP

#include <faktory/json.hpp>
#include <faktory/plugin.h>

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

// The host's opaque types, as this test host defines them.
struct faktory_registrar {
    struct Handler {
        std::string jobtype;
        faktory_handler_fn fn;
        void* user_data;
        faktory_destroy_fn destroy;
    };
    struct Around {
        std::string name;
        std::vector<std::string> jobtypes;
        faktory_middleware_fn fn;
        void* user_data;
        faktory_destroy_fn destroy;
    };
    std::vector<Handler> handlers;
    std::vector<Around> middleware;
    faktory::Value config;
    std::deque<std::string> strings;  // stable storage for borrowed strings
    std::string last_error;
    bool open = true;
};

struct faktory_host_handle {
    struct faktory_testing_state* state;
};

struct faktory_job {
    faktory::Value job;  // the whole job
    std::string json, jid, jobtype, queue, args_json, custom_json, at, created_at, enqueued_at;
    std::deque<std::string> strings;
    std::string last_error;
    bool failed = false;
    std::string errtype, message;
    std::vector<std::string> backtrace;
    void* instance = nullptr;
    faktory_host_handle handle{};
    bool cancelled = false;
};

struct faktory_next {
    faktory_job* job;
    const std::vector<const faktory_registrar::Around*>* chain;
    std::size_t index;
    faktory_handler_fn handler;
    void* handler_data;
};

namespace faktory {
namespace testing {

// One job the plugin pushed (recorded, not sent).
struct Pushed {
    std::string jobtype;
    Value args;
    std::string queue;
    Value job;  // the whole job as the host would send it, options included
};

// One line the plugin logged; level as faktory_log_level. Structured fields
// appear in `message` as " key=value" after the text.
struct Logged {
    int level;
    std::string message;
};

// What running one job came to.
struct Result {
    bool ack = true;
    std::string errtype, message;
    std::vector<std::string> backtrace;
    std::vector<Pushed> pushes;
    std::vector<Logged> logs;
    bool acked() const noexcept { return ack; }
    bool failed() const noexcept { return !ack; }
};

} // namespace testing
} // namespace faktory

// Everything the test host records; shared by the table's functions.
struct faktory_testing_state {
    std::mutex mutex;
    std::vector<faktory::testing::Pushed> pushes;
    std::vector<faktory::testing::Logged> logs;
    int min_level = FAKTORY_LOG_DEBUG;
    std::atomic<int> jid_counter{0};
};

namespace faktory {
namespace testing {
namespace detail {

inline faktory_string keep(std::deque<std::string>& store, std::string text) {
    store.push_back(std::move(text));
    return faktory_string{store.back().c_str(), store.back().size()};
}
inline faktory_string borrowed(const std::string& text) { return faktory_string{text.c_str(), text.size()}; }

inline void copy_text(const std::string& text, char* out, std::size_t size) {
    if (!out || size == 0) return;
    const std::size_t n = text.size() < size - 1 ? text.size() : size - 1;
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

inline std::string text_of(const Value* v) { return v && v->is_string() ? v->as_string() : std::string(); }

// A job argument or config value the way the host describes it.
inline void describe(std::deque<std::string>& store, const Value& v, faktory_value* out) {
    faktory_value value{};
    value.size = sizeof(value);
    switch (v.type()) {
    case Value::Type::null: value.type = FAKTORY_VALUE_NULL; break;
    case Value::Type::boolean: value.type = FAKTORY_VALUE_BOOL; value.boolean = v.as_bool(); break;
    case Value::Type::integer:
        value.type = FAKTORY_VALUE_INTEGER;
        value.integer = v.as_int();
        value.number = static_cast<double>(value.integer);
        break;
    case Value::Type::number: value.type = FAKTORY_VALUE_DOUBLE; value.number = v.as_double(); break;
    case Value::Type::string: value.type = FAKTORY_VALUE_STRING; value.text = keep(store, v.as_string()); break;
    case Value::Type::array:
    case Value::Type::object:
        value.type = v.is_array() ? FAKTORY_VALUE_ARRAY : FAKTORY_VALUE_OBJECT;
        value.text = keep(store, Json(v).text());
        break;
    }
    const std::uint32_t theirs = out->size;
    std::memcpy(out, &value, theirs < sizeof(value) ? theirs : sizeof(value));
    out->size = theirs;
}

// The host API table of the test host: the same entries the real host offers.
struct Table {
    static int register_handler(faktory_registrar* r, const char* jobtype, faktory_handler_fn fn, void* data,
                                faktory_destroy_fn destroy) {
        if (!r) return FAKTORY_INVALID;
        if (!r->open) return r->last_error = "registration after init", FAKTORY_TOO_LATE;
        if (!jobtype || !*jobtype || !fn) return r->last_error = "registered an empty jobtype or a null handler", FAKTORY_INVALID;
        for (const auto& h : r->handlers)
            if (h.jobtype == jobtype)
                return r->last_error = "registered jobtype \"" + std::string(jobtype) + "\" twice", FAKTORY_DUPLICATE;
        r->handlers.push_back({jobtype, fn, data, destroy});
        return FAKTORY_OK;
    }
    static faktory_string jid(const faktory_job* j) { return borrowed(j->jid); }
    static faktory_string jobtype(const faktory_job* j) { return borrowed(j->jobtype); }
    static faktory_string queue(const faktory_job* j) { return borrowed(j->queue); }
    static faktory_string args_json(const faktory_job* j) { return borrowed(j->args_json); }
    static faktory_string custom_json(const faktory_job* j) { return borrowed(j->custom_json); }
    static const Value* failure_of(const faktory_job* j) {
        const Value* f = j->job.find("failure");
        return f && f->is_object() ? f : nullptr;
    }
    static int32_t retry_count(const faktory_job* j) {
        const Value* f = failure_of(j);
        const Value* n = f ? f->find("retry_count") : nullptr;
        return n && n->is_integer() ? static_cast<int32_t>(n->as_int()) : 0;
    }
    static const Value* args_of(const faktory_job* j) {
        const Value* a = j->job.find("args");
        return a && a->is_array() ? a : nullptr;
    }
    static size_t arg_count(faktory_job* j) { return args_of(j) ? args_of(j)->size() : 0; }
    static int arg(faktory_job* j, size_t index, faktory_value* out) {
        if (!j || !out) return FAKTORY_INVALID;
        const Value* args = args_of(j);
        if (!args) return j->last_error = "args are not a JSON array", FAKTORY_INVALID;
        if (index >= args->size()) {
            faktory_value missing{};
            missing.size = sizeof(missing);
            const std::uint32_t theirs = out->size;
            std::memcpy(out, &missing, theirs < sizeof(missing) ? theirs : sizeof(missing));
            out->size = theirs;
            return FAKTORY_OUT_OF_RANGE;
        }
        describe(j->strings, (*args)[index], out);
        return FAKTORY_OK;
    }
    static int cancelled(const faktory_job* j) { return j && j->cancelled ? 1 : 0; }
    static int fail(faktory_job* j, const char* errtype, const char* message, const char* const* bt, size_t n) {
        j->failed = true;
        j->errtype = errtype && *errtype ? errtype : "PluginError";
        j->message = message ? message : "";
        j->backtrace.clear();
        for (size_t i = 0; bt && i < n; ++i)
            if (bt[i]) j->backtrace.emplace_back(bt[i]);
        return FAKTORY_OK;
    }
    static std::string record_push(faktory_testing_state* s, const faktory_push& p) {
        if (!p.jobtype || !*p.jobtype) throw std::invalid_argument("push needs a jobtype");
        Pushed pushed;
        pushed.jobtype = p.jobtype;
        pushed.args = Value::parse(p.args_json && *p.args_json ? p.args_json : "[]");
        if (!pushed.args.is_array()) throw std::invalid_argument("args are not a JSON array");
        pushed.queue = p.queue && *p.queue ? p.queue : "default";
        const std::string jid = "test-jid-" + std::to_string(++s->jid_counter);
        std::string job = "{\"jid\":" + Json(jid).text() + ",\"jobtype\":" + Json(pushed.jobtype).text() +
                          ",\"args\":" + Json(pushed.args).text() + ",\"queue\":" + Json(pushed.queue).text();
        if (p.at && *p.at) job += ",\"at\":" + Json(p.at).text();
        if (p.custom_json && *p.custom_json) job += ",\"custom\":" + Json(Value::parse(p.custom_json)).text();
        if (p.set & FAKTORY_PUSH_RETRY) job += ",\"retry\":" + std::to_string(p.retry);
        if (p.set & FAKTORY_PUSH_RESERVE_FOR) job += ",\"reserve_for\":" + std::to_string(p.reserve_for);
        if (p.set & FAKTORY_PUSH_PRIORITY) job += ",\"priority\":" + std::to_string(p.priority);
        pushed.job = Value::parse(job + "}");
        std::lock_guard<std::mutex> lock(s->mutex);
        s->pushes.push_back(std::move(pushed));
        return jid;
    }
    static int push(faktory_job* j, const char* type, const char* args, const char* queue, char* jid_out,
                    size_t jid_size) {
        faktory_push p{};
        p.size = sizeof(p);
        p.jobtype = type;
        p.args_json = args;
        p.queue = queue;
        char error[256] = {0};
        const int status = host_push(&j->handle, &p, jid_out, jid_size, error, sizeof error);
        if (status != FAKTORY_OK) j->last_error = error;
        return status;
    }
    static void log(faktory_job* j, int level, const char* message) { host_log(&j->handle, level, message); }
    static faktory_string last_error(const faktory_job* j) { return borrowed(j->last_error); }
    static int config_value(faktory_registrar* r, const char* key, faktory_value* out) {
        if (!r || !key || !out) return FAKTORY_INVALID;
        if (!r->open) return FAKTORY_TOO_LATE;
        if (!r->config.is_object()) return r->last_error = "the configuration block is not a JSON object", FAKTORY_INVALID;
        const Value* v = r->config.find(key);
        if (!v) {
            faktory_value missing{};
            missing.size = sizeof(missing);
            const std::uint32_t theirs = out->size;
            std::memcpy(out, &missing, theirs < sizeof(missing) ? theirs : sizeof(missing));
            out->size = theirs;
            return FAKTORY_OUT_OF_RANGE;
        }
        describe(r->strings, *v, out);
        return FAKTORY_OK;
    }
    static int retry_policy(faktory_job* j, int32_t* retry) {
        const Value* r = j->job.find("retry");
        if (!r || !r->is_integer()) return FAKTORY_OUT_OF_RANGE;
        *retry = static_cast<int32_t>(r->as_int());
        return FAKTORY_OK;
    }
    static faktory_string at(faktory_job* j) { return borrowed(j->at); }
    static faktory_string created_at(faktory_job* j) { return borrowed(j->created_at); }
    static faktory_string enqueued_at(faktory_job* j) { return borrowed(j->enqueued_at); }
    static int32_t reserve_for(faktory_job* j) {
        const Value* r = j->job.find("reserve_for");
        return r && r->is_integer() ? static_cast<int32_t>(r->as_int()) : 0;
    }
    static int failure(faktory_job* j, faktory_failure* out) {
        if (!out) return FAKTORY_INVALID;
        faktory_failure f{};
        f.size = sizeof(f);
        const Value* failure = failure_of(j);
        if (failure) {
            f.retry_count = retry_count(j);
            f.errtype = keep(j->strings, text_of(failure->find("errtype")));
            f.message = keep(j->strings, text_of(failure->find("message")));
            f.failed_at = keep(j->strings, text_of(failure->find("failed_at")));
            f.next_at = keep(j->strings, text_of(failure->find("next_at")));
        }
        const std::uint32_t theirs = out->size;
        std::memcpy(out, &f, theirs < sizeof(f) ? theirs : sizeof(f));
        out->size = theirs;
        return failure ? FAKTORY_OK : FAKTORY_OUT_OF_RANGE;
    }
    static faktory_string job_json(faktory_job* j) { return borrowed(j->json); }
    static faktory_string registrar_error(const faktory_registrar* r) { return borrowed(r->last_error); }
    static void* instance(faktory_job* j) { return j->instance; }
    static faktory_host_handle* job_host(faktory_job* j) { return &j->handle; }
    static int host_push(faktory_host_handle* h, const faktory_push* p, char* jid_out, size_t jid_size, char* error,
                         size_t error_size) {
        copy_text("", jid_out, jid_size);
        copy_text("", error, error_size);
        if (!h || !p) return FAKTORY_INVALID;
        try {
            copy_text(record_push(h->state, *p), jid_out, jid_size);
            return FAKTORY_OK;
        } catch (const std::exception& e) {
            copy_text(e.what(), error, error_size);
            return FAKTORY_INVALID;
        }
    }
    static int host_push_bulk(faktory_host_handle* h, const faktory_push* const* jobs,
                              faktory_push_result* const* results, size_t count, char* error, size_t error_size) {
        copy_text("", error, error_size);
        for (size_t i = 0; i < count; ++i) {
            results[i]->status = host_push(h, jobs[i], results[i]->jid, sizeof results[i]->jid, results[i]->error,
                                           sizeof results[i]->error);
        }
        return FAKTORY_OK;
    }
    static void host_log(faktory_host_handle* h, int level, const char* message) {
        if (!h || level < h->state->min_level) return;
        std::lock_guard<std::mutex> lock(h->state->mutex);
        h->state->logs.push_back({level, message ? message : ""});
    }
    static int wait_cancelled(faktory_job* j, int64_t timeout_ms) {
        // The test host cancels only before a job starts (run(..., cancelled = true)); otherwise it waits.
        if (j->cancelled) return 1;
        std::mutex m;
        std::condition_variable cv;
        std::unique_lock<std::mutex> lock(m);
        cv.wait_for(lock, std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0));
        return j->cancelled ? 1 : 0;
    }
    static int cancel_fd(faktory_job*) { return -1; }
    static std::string with_fields(const char* message, const char* const* keys, const char* const* values, size_t n) {
        std::string text = message ? message : "";
        for (size_t i = 0; keys && values && i < n; ++i)
            text += std::string(" ") + (keys[i] ? keys[i] : "") + "=" + (values[i] ? values[i] : "");
        return text;
    }
    static void log_fields(faktory_job* j, int level, const char* message, const char* const* keys,
                           const char* const* values, size_t n) {
        host_log(&j->handle, level, with_fields(message, keys, values, n).c_str());
    }
    static void host_log_fields(faktory_host_handle* h, int level, const char* message, const char* const* keys,
                                const char* const* values, size_t n) {
        host_log(h, level, with_fields(message, keys, values, n).c_str());
    }
    static int log_enabled(faktory_host_handle* h, int level) { return h && level >= h->state->min_level ? 1 : 0; }
    static int register_middleware(faktory_registrar* r, const char* name, const char* const* jobtypes, size_t n,
                                   faktory_middleware_fn fn, void* data, faktory_destroy_fn destroy) {
        if (!r || !r->open) return FAKTORY_TOO_LATE;
        if (!name || !*name || !fn) return r->last_error = "middleware needs a name and a function", FAKTORY_INVALID;
        faktory_registrar::Around around{name, {}, fn, data, destroy};
        for (size_t i = 0; jobtypes && i < n; ++i) around.jobtypes.emplace_back(jobtypes[i]);
        r->middleware.push_back(std::move(around));
        return FAKTORY_OK;
    }
    static int call_next(faktory_next* next) {
        if (next->index < next->chain->size()) {
            faktory_next rest{next->job, next->chain, next->index + 1, next->handler, next->handler_data};
            const auto& link = *(*next->chain)[next->index];
            return link.fn(next->job, &rest, link.user_data);
        }
        return next->handler(next->job, next->handler_data);
    }
    static int outcome(faktory_job* j, faktory_string* errtype, faktory_string* message) {
        if (errtype) *errtype = j->failed ? borrowed(j->errtype) : faktory_string{nullptr, 0};
        if (message) *message = j->failed ? borrowed(j->message) : faktory_string{nullptr, 0};
        return j->failed ? FAKTORY_ERROR : FAKTORY_OK;
    }

    static const faktory_host_api& get() {
        static const faktory_host_api table = {
            sizeof(faktory_host_api), FAKTORY_PLUGIN_ABI_MAJOR, FAKTORY_PLUGIN_ABI_MINOR,
            &register_handler, &jid, &jobtype, &queue, &args_json, &custom_json, &retry_count, &arg_count, &arg,
            &cancelled, &fail, &push, &log, &last_error, &config_value,
            &retry_policy, &at, &created_at, &enqueued_at, &reserve_for, &failure, &job_json, &registrar_error,
            &instance, &job_host, &host_push, &host_push_bulk, &host_log, &wait_cancelled, &cancel_fd,
            &log_enabled, &register_middleware, &call_next, &outcome, &log_fields, &host_log_fields,
        };
        return table;
    }
};

} // namespace detail

// A plugin loaded into this process, with the test host around it.
class PluginHost {
public:
    using QueryFn = const faktory_plugin_info* (*)();
    using InitFn = int (*)(const faktory_init_args*);
    using ShutdownFn = void (*)();

    // Loads the plugin .so (dlopen, like the host: RTLD_NOW | RTLD_LOCAL) and runs its init
    // with `config_json` as its configuration block. Throws std::runtime_error with the reason.
    static PluginHost load(const std::string& so_path, const std::string& config_json = "{}") {
        void* image = ::dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!image) throw std::runtime_error("cannot load " + so_path + ": " + ::dlerror());
        auto query = reinterpret_cast<QueryFn>(::dlsym(image, FAKTORY_PLUGIN_QUERY_NAME));
        auto init = reinterpret_cast<InitFn>(::dlsym(image, FAKTORY_PLUGIN_INIT_NAME));
        auto shutdown = reinterpret_cast<ShutdownFn>(::dlsym(image, FAKTORY_PLUGIN_SHUTDOWN_NAME));
        if (!query || !init) {
            ::dlclose(image);
            throw std::runtime_error(so_path + " is not a Faktory Host plugin (no " FAKTORY_PLUGIN_QUERY_NAME " or " +
                                     std::string(FAKTORY_PLUGIN_INIT_NAME) + ")");
        }
        return PluginHost(image, query, init, shutdown, config_json);
    }

    // The plugin linked into the test itself (its source compiled in): no .so needed.
    static PluginHost linked(const std::string& config_json = "{}") {
        return PluginHost(nullptr, &FAKTORY_PLUGIN_QUERY, &FAKTORY_PLUGIN_INIT, &FAKTORY_PLUGIN_SHUTDOWN, config_json);
    }

    PluginHost(PluginHost&& other) noexcept { *this = std::move(other); }
    PluginHost& operator=(PluginHost&& other) noexcept {
        std::swap(state_, other.state_);
        return *this;
    }
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;
    ~PluginHost() { unload(); }

    const std::string& name() const { return state_->name; }
    std::vector<std::string> jobtypes() const {
        std::vector<std::string> all;
        for (const auto& h : state_->registrar.handlers) all.push_back(h.jobtype);
        return all;
    }

    // Registers a stand-in handler in the test host, e.g. to run a middleware-only plugin around it.
    void add_handler(const std::string& jobtype, faktory_handler_fn fn, void* user_data = nullptr) {
        state_->registrar.handlers.push_back({jobtype, fn, user_data, nullptr});
    }

    // Only lines at `level` (faktory_log_level) and above are recorded; log_enabled() follows it.
    void set_log_level(int level) { state_->recorder.min_level = level; }

    // Runs a job given as the whole JSON object the server would send
    // ({"jobtype":"Hello","args":["Ann"], ...}; jid and queue get defaults).
    // `cancelled` runs it as if the host had asked it to stop.
    Result run_json(const std::string& job_json, bool cancelled = false) {
        faktory_job job;
        job.job = Value::parse(job_json);
        if (!job.job.is_object()) throw std::invalid_argument("a job is a JSON object: " + job_json);
        job.json = job_json;
        job.jobtype = detail::text_of(job.job.find("jobtype"));
        job.jid = job.job.find("jid") ? detail::text_of(job.job.find("jid")) : "test-job-1";
        job.queue = job.job.find("queue") ? detail::text_of(job.job.find("queue")) : "default";
        job.args_json = job.job.find("args") ? Json(job.job["args"]).text() : "[]";
        job.custom_json = job.job.find("custom") ? Json(job.job["custom"]).text() : "{}";
        job.at = detail::text_of(job.job.find("at"));
        job.created_at = detail::text_of(job.job.find("created_at"));
        job.enqueued_at = detail::text_of(job.job.find("enqueued_at"));
        job.instance = state_->instance.instance;
        job.handle.state = &state_->recorder;
        job.cancelled = cancelled;

        const std::size_t pushes_before = count(state_->recorder.pushes);
        const std::size_t logs_before = count(state_->recorder.logs);
        Result result;
        const faktory_registrar::Handler* handler = nullptr;
        for (const auto& h : state_->registrar.handlers)
            if (h.jobtype == job.jobtype) handler = &h;
        if (!handler) {
            result.ack = false;
            result.errtype = "UnknownJobtype";
            result.message = "no handler for jobtype \"" + job.jobtype + "\"";
            return result;
        }
        std::vector<const faktory_registrar::Around*> chain;
        for (const auto& around : state_->registrar.middleware)
            if (around.jobtypes.empty() ||
                std::find(around.jobtypes.begin(), around.jobtypes.end(), job.jobtype) != around.jobtypes.end())
                chain.push_back(&around);
        faktory_next first{&job, &chain, 0, handler->fn, handler->user_data};
        const int status = detail::Table::call_next(&first);
        result.ack = !job.failed && status == FAKTORY_OK;
        result.errtype = job.failed ? job.errtype : (status == FAKTORY_OK ? "" : "PluginError");
        result.message = job.failed ? job.message : (status == FAKTORY_OK ? "" : "returned status " + std::to_string(status));
        result.backtrace = job.backtrace;
        std::lock_guard<std::mutex> lock(state_->recorder.mutex);
        result.pushes.assign(state_->recorder.pushes.begin() + static_cast<std::ptrdiff_t>(pushes_before),
                             state_->recorder.pushes.end());
        result.logs.assign(state_->recorder.logs.begin() + static_cast<std::ptrdiff_t>(logs_before),
                           state_->recorder.logs.end());
        return result;
    }
    Result run(const std::string& jobtype, const std::string& args_json = "[]") {
        return run_json("{\"jobtype\":" + Json(jobtype).text() + ",\"args\":" + args_json + "}");
    }

    // Everything pushed and logged so far, inside jobs or not (init, the plugin's threads).
    std::vector<Pushed> pushes() {
        std::lock_guard<std::mutex> lock(state_->recorder.mutex);
        return state_->recorder.pushes;
    }
    std::vector<Logged> logs() {
        std::lock_guard<std::mutex> lock(state_->recorder.mutex);
        return state_->recorder.logs;
    }

    // Shutdown, destroy callbacks, unload (also done by the destructor).
    void unload() {
        if (!state_) return;
        auto& s = *state_;
        if (s.initialized && s.shutdown) s.shutdown();
        if (s.initialized && s.instance.shutdown) s.instance.shutdown(s.instance.instance);
        for (auto& m : s.registrar.middleware)
            if (m.destroy) m.destroy(m.user_data);
        for (auto& h : s.registrar.handlers)
            if (h.destroy) h.destroy(h.user_data);
        if (s.instance.destroy) s.instance.destroy(s.instance.instance);
        if (s.image) ::dlclose(s.image);
        state_.reset();
    }

private:
    struct State {
        void* image = nullptr;
        ShutdownFn shutdown = nullptr;
        bool initialized = false;
        std::string name;
        faktory_registrar registrar;
        faktory_instance instance{sizeof(faktory_instance), nullptr, nullptr, nullptr};
        faktory_testing_state recorder;
        faktory_host_handle handle{};
    };

    PluginHost() = default;
    PluginHost(void* image, QueryFn query, InitFn init, ShutdownFn shutdown, const std::string& config_json)
        : state_(std::make_unique<State>()) {
        state_->image = image;
        state_->shutdown = shutdown;
        const faktory_plugin_info* info = query();
        if (!info || !info->name || info->abi_major != FAKTORY_PLUGIN_ABI_MAJOR) {
            unload();
            throw std::runtime_error("the plugin's query describes no plugin of ABI " +
                                     std::to_string(FAKTORY_PLUGIN_ABI_MAJOR));
        }
        state_->name = info->name;
        state_->registrar.config = Value::parse(config_json);
        state_->handle.state = &state_->recorder;
        char error[1024] = {0};
        faktory_init_args args{};
        args.size = sizeof(args);
        args.host = &detail::Table::get();
        args.registrar = &state_->registrar;
        args.config_json = faktory_string{config_json.c_str(), config_json.size()};
        args.error = error;
        args.error_size = sizeof error;
        args.host_handle = &state_->handle;
        args.instance = &state_->instance;
        const int status = init(&args);
        state_->registrar.open = false;
        if (status != FAKTORY_OK) {
            unload();
            throw std::runtime_error(std::string("plugin init failed: ") + (error[0] ? error : "no reason given"));
        }
        state_->initialized = true;
    }

    template <typename T> std::size_t count(const std::vector<T>& items) {
        std::lock_guard<std::mutex> lock(state_->recorder.mutex);
        return items.size();
    }

    std::unique_ptr<State> state_;
};

// The number of failed FAKTORY_EXPECTs so far; return it from main().
inline int& failures() {
    static int count = 0;
    return count;
}

} // namespace testing
} // namespace faktory

// A check for tests without a framework: prints the failed condition, counts it.
#define FAKTORY_EXPECT(condition)                                                                        \
    ((condition) ? (void)0                                                                               \
                 : (void)(std::fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #condition), \
                          ++::faktory::testing::failures()))

#endif // FAKTORY_TESTING_HPP
