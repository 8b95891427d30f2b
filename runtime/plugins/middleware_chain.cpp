// Middleware (SDK 1.1): registration inside init, and the chain that runs each
// job's middleware in order around its handler.
#include "plugins/middleware_chain.hpp"

#include <algorithm>

#include "plugins/host_api.hpp"

namespace faktory_host::plugins {

bool Middleware::applies_to(const std::string& jobtype) const {
    return jobtypes.empty() || std::find(jobtypes.begin(), jobtypes.end(), jobtype) != jobtypes.end();
}

namespace middleware_api {

int register_middleware(faktory_registrar* registrar, const char* name, const char* const* jobtypes,
                        size_t jobtype_count, faktory_middleware_fn fn, void* user_data, faktory_destroy_fn destroy) {
    if (!registrar) return FAKTORY_INVALID;
    if (!registrar->open) {
        registrar->last_error = "register_middleware called after init returned; register middleware inside init";
        return FAKTORY_TOO_LATE;
    }
    try {
        auto refuse = [&](const std::string& why, int status) {
            registrar->errors.push_back(why);
            registrar->last_error = why;
            return status;
        };
        if (!name || !*name) return refuse("registered a middleware without a name", FAKTORY_INVALID);
        if (!fn) return refuse("registered a null middleware \"" + std::string(name) + "\"", FAKTORY_INVALID);
        for (const auto& entry : registrar->middleware)
            if (entry.name == name)
                return refuse("registered middleware \"" + std::string(name) + "\" twice", FAKTORY_DUPLICATE);
        faktory_registrar::MiddlewareEntry entry{name, {}, fn, user_data, destroy};
        for (size_t i = 0; jobtypes && i < jobtype_count; ++i) {
            if (!jobtypes[i] || !*jobtypes[i])
                return refuse("middleware \"" + std::string(name) + "\" lists an empty jobtype", FAKTORY_INVALID);
            entry.jobtypes.emplace_back(jobtypes[i]);
        }
        registrar->middleware.push_back(std::move(entry));
        return FAKTORY_OK;
    } catch (...) {
        return FAKTORY_ERROR;
    }
}

int call_next(faktory_next* next) {
    if (!next || !next->job) return FAKTORY_INVALID;
    if (next->called) {
        next->job->last_error = "call_next called twice by one middleware; the rest of the chain runs once";
        return FAKTORY_INVALID;
    }
    next->called = true;
    if (next->index < next->chain->size()) {
        faktory_next rest{next->job, next->chain, next->index + 1, next->handler, next->handler_data};
        const Middleware& link = *(*next->chain)[next->index];
        return link.fn(next->job, &rest, link.user_data);
    }
    return next->handler(next->job, next->handler_data);
}

int outcome(faktory_job* job, faktory_string* errtype, faktory_string* message) {
    if (!job) return FAKTORY_INVALID;
    if (errtype) *errtype = faktory_string{nullptr, 0};
    if (message) *message = faktory_string{nullptr, 0};
    if (!job->failed) return FAKTORY_OK;
    if (errtype) *errtype = faktory_string{job->outcome.errtype.c_str(), job->outcome.errtype.size()};
    if (message) *message = faktory_string{job->outcome.message.c_str(), job->outcome.message.size()};
    return FAKTORY_ERROR;
}

int run_chain(faktory_job* job, const std::vector<const Middleware*>& chain, faktory_handler_fn handler,
              void* handler_data) {
    faktory_next first{job, &chain, 0, handler, handler_data};
    return call_next(&first);
}

} // namespace middleware_api
} // namespace faktory_host::plugins
