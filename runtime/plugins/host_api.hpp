// The host side of the plugin ABI: the definitions of the opaque faktory_job and
// faktory_registrar, and the function table every plugin receives at init.
#pragma once
#include <cstdint>
#include <forward_list>
#include <memory>
#include <optional>
#include <stop_token>
#include <string_view>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <faktory/plugin.h>

#include "plugins/plugin_generation.hpp"
#include "plugins/push_outcome.hpp"

struct faktory_host_handle;  // host_api_handle.hpp

namespace faktory_host::plugins::jobs_api {
struct JobDetails;  // host_api_jobs.hpp
}

// One running job as the plugin sees it. Lives on the stack of
// PluginGeneration::run() for exactly one handler call, so every string it
// hands out stays valid until the handler returns.
struct faktory_job {
    faktory_job(const faktory_host::plugins::JobInput& input, const std::stop_token& cancel,
                const faktory_host::plugins::HostServices& services, faktory_host::plugins::JobOutcome& outcome)
        : input(input), cancel(cancel), services(services), outcome(outcome) {}

    const faktory_host::plugins::JobInput& input;
    const std::stop_token& cancel;
    const faktory_host::plugins::HostServices& services;
    faktory_host::plugins::JobOutcome& outcome;
    bool failed = false;

    // args and custom as JSON text when the input makes them on demand
    // (JobInput::args_text, custom_text): made on the first call that needs
    // one, then kept, so every later call returns the same bytes at the same address.
    mutable std::optional<std::string> args_text;
    mutable std::optional<std::string> custom_text;
    // The job's args and custom text, as above or the input's own strings.
    const std::string& args_json() const;
    const std::string& custom_json() const;

    // args, parsed on the first typed access only: most jobs never pay for it.
    enum class Args { unparsed, parsed, invalid } args_state = Args::unparsed;
    Poco::JSON::Array::Ptr args;
    std::forward_list<std::string> scratch;  // re-encoded nested values; stable addresses
    std::string last_error;
    // The 1.1 accessors' view of the whole job, parsed on first use (host_api_jobs.cpp).
    std::shared_ptr<const faktory_host::plugins::jobs_api::JobDetails> details;
    // 1.1 (host_api_handle.cpp): the plugin's instance pointer and name, the
    // job's host handle and cancel eventfd, each made on first use.
    void* instance = nullptr;
    std::string_view plugin;
    std::shared_ptr<faktory_host_handle> handle;
    std::shared_ptr<void> cancel_watch;
};

// The plugin's registrations during init. Kept for the image's lifetime so a
// late call through a stale pointer finds a closed registrar, not freed memory.
struct faktory_registrar {
    struct Entry {
        std::string jobtype;
        faktory_handler_fn handler;
        void* user_data;
        faktory_destroy_fn destroy;
    };
    std::vector<Entry> entries;
    // 1.1 middleware, in registration order (middleware_chain.cpp).
    struct MiddlewareEntry {
        std::string name;
        std::vector<std::string> jobtypes;
        faktory_middleware_fn fn;
        void* user_data;
        faktory_destroy_fn destroy;
    };
    std::vector<MiddlewareEntry> middleware;
    std::vector<std::string> errors;  // refused registrations; any one fails the plugin's load
    bool open = true;
    std::string last_error;  // why the last register_handler/config_value call failed (1.1 registrar_error)

    // The plugin's configuration block, parsed on the first config_value() call.
    std::string config_json = "{}";
    enum class Config { unparsed, parsed, invalid } config_state = Config::unparsed;
    Poco::JSON::Object::Ptr config;
    std::forward_list<std::string> scratch;

    faktory_registrar() = default;
    faktory_registrar(const faktory_registrar&) = delete;
    faktory_registrar& operator=(const faktory_registrar&) = delete;
    ~faktory_registrar();  // calls each entry's destroy callback
};

namespace faktory_host::plugins {

// The table handed to every plugin; static, valid for the life of the process.
const faktory_host_api& host_api();

} // namespace faktory_host::plugins
