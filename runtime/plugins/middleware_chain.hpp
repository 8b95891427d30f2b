// Middleware (SDK 1.1): "around" hooks plugins register for every job or for
// chosen jobtypes, run as a chain in front of the handler. The registration,
// call_next and outcome entries of the host API table, and the chain runner
// PluginGeneration::run uses.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <faktory/plugin.h>

namespace faktory_host::plugins {

// One registered middleware of a loaded plugin.
struct Middleware {
    std::string id;                     // "plugin/name", what plugins.middleware lists
    std::vector<std::string> jobtypes;  // empty: every job
    faktory_middleware_fn fn;
    void* user_data;
    bool applies_to(const std::string& jobtype) const;
};

} // namespace faktory_host::plugins

// The rest of a chain, as call_next sees it: middleware[index...], then the handler.
struct faktory_next {
    faktory_job* job;
    const std::vector<const faktory_host::plugins::Middleware*>* chain;
    std::size_t index;
    faktory_handler_fn handler;
    void* handler_data;
    bool called = false;
};

namespace faktory_host::plugins::middleware_api {

int register_middleware(faktory_registrar* registrar, const char* name, const char* const* jobtypes,
                        size_t jobtype_count, faktory_middleware_fn fn, void* user_data, faktory_destroy_fn destroy);
int call_next(faktory_next* next);
int outcome(faktory_job* job, faktory_string* errtype, faktory_string* message);

// Runs `chain` around the handler for `job`; returns the first link's status.
int run_chain(faktory_job* job, const std::vector<const Middleware*>& chain, faktory_handler_fn handler,
              void* handler_data);

} // namespace faktory_host::plugins::middleware_api
