// The 1.1 host handle (faktory_host_handle) and what goes with it: push with options
// and bulk push from init, handlers and the plugin's own threads, plugin log
// lines outside a job, the plugin instance pointer, and waitable cancellation.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <faktory/plugin.h>

#include "plugins/plugin_generation.hpp"

// A plugin's handle on the host. The loader makes one per plugin (services of
// the whole host, open from init until shutdown returns); a handler gets one
// per job that uses the job's services.
struct faktory_host_handle {
    const faktory_host::plugins::HostServices* services = nullptr;
    std::shared_ptr<const faktory_host::plugins::HostServices> owned_services;
    std::string plugin;  // name, for log lines
    std::atomic<bool> open{true};
};

namespace faktory_host::plugins::handle_api {

// The loader's handle for `plugin`; `services` may be null (then pushes return FAKTORY_UNAVAILABLE).
std::shared_ptr<faktory_host_handle> plugin_handle(std::shared_ptr<const HostServices> services, std::string plugin);

void* instance(faktory_job* job);
faktory_host_handle* job_host(faktory_job* job);
int host_push(faktory_host_handle* host, const faktory_push* job, char* jid_out, size_t jid_out_size, char* error,
              size_t error_size);
int host_push_bulk(faktory_host_handle* host, const faktory_push* const* jobs, faktory_push_result* const* results,
                   size_t count, char* error, size_t error_size);
void host_log(faktory_host_handle* host, int level, const char* message);
int wait_cancelled(faktory_job* job, std::int64_t timeout_ms);
int cancel_fd(faktory_job* job);
int log_enabled(faktory_host_handle* host, int level);
void log_fields(faktory_job* job, int level, const char* message, const char* const* keys, const char* const* values,
                size_t count);
void host_log_fields(faktory_host_handle* host, int level, const char* message, const char* const* keys,
                     const char* const* values, size_t count);

} // namespace faktory_host::plugins::handle_api
