/* faktory/plugin.h: the Faktory Host plugin ABI, plain C99 — the only contract
 * between the host and a plugin. A plugin is a shared object exporting:
 *
 *   faktory_plugin_query      required; side-effect free; the host calls it first
 *   FAKTORY_PLUGIN_INIT       required (faktory_plugin_init_v1); registers handlers
 *   faktory_plugin_shutdown   optional; after the plugin's last job returned, before unload
 *
 * THE VERSION RULE (one rule, both directions):
 *   A plugin built against SDK 1.N loads in every host 1.M with M >= N, and in
 *   an older host (M < N) as long as it uses nothing newer than 1.M. So:
 *   - Minors only append members to the end of a struct; nothing is removed,
 *     reordered or changed in meaning. A breaking change bumps
 *     FAKTORY_PLUGIN_ABI_MAJOR and renames the init symbol (_v2), so a
 *     mismatched pair fails at symbol lookup instead of misbehaving; the host
 *     refuses a plugin whose abi_major differs from its own.
 *   - Every struct crossing the boundary starts with `size` (its sizeof on the
 *     side that filled it); each side reads only the members that size covers.
 *   - The host never refuses a plugin for its abi_minor. The plugin checks each
 *     member newer than 1.0 before calling it: FAKTORY_HOST_HAS(host, member)
 *     (offsetof + sizeof <= host->size, and not NULL). 1.0 members need no check.
 *   - faktory/plugin.hpp follows the same rule: it starts on any 1.x host and
 *     refuses only when a member it is about to call is missing, with an error
 *     naming that member (a failed job, or a failed init when called there).
 *
 * Rules, for both sides:
 * - OWNERSHIP: strings the host hands over (faktory_string, config_json) are
 *   borrowed: valid until the call that received them returns — for job data,
 *   until the handler returns. Copy what you keep. Strings a plugin passes in
 *   are copied by the host before the call returns. Nothing is ever freed
 *   across the boundary: what the plugin allocates, the plugin frees (see the
 *   `destroy` callback of register_handler). Each member below says more.
 * - No C++ exception may leave a plugin function; report failures with
 *   status codes and fail(). (faktory/plugin.hpp does this for C++ plugins.)
 * - THREADS: query and init run once, on one host thread. Handlers run on many
 *   host threads at once, so a handler (and its user_data) must be thread-safe;
 *   one faktory_job* is used by one thread at a time (the one running the
 *   handler) and must not be handed to other threads. Shutdown and the destroy
 *   callbacks run on the thread that drops the plugin's last reference (a
 *   worker or the reload thread), after every handler call has returned.
 * - Order: query -> init -> handlers ... -> shutdown -> destroy (each
 *   registration) -> unload. A failed init gets its registrations' destroy
 *   callbacks but no shutdown.
 * - Registration works only inside init; later calls return FAKTORY_TOO_LATE.
 */
#ifndef FAKTORY_PLUGIN_H
#define FAKTORY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FAKTORY_PLUGIN_ABI_MAJOR 1
#define FAKTORY_PLUGIN_ABI_MINOR 1

/* Symbol names, for hosts and for plugins that define the exports by hand. */
#define FAKTORY_PLUGIN_QUERY faktory_plugin_query
#define FAKTORY_PLUGIN_INIT faktory_plugin_init_v1
#define FAKTORY_PLUGIN_SHUTDOWN faktory_plugin_shutdown
#define FAKTORY_PLUGIN_QUERY_NAME "faktory_plugin_query"
#define FAKTORY_PLUGIN_INIT_NAME "faktory_plugin_init_v1"
#define FAKTORY_PLUGIN_SHUTDOWN_NAME "faktory_plugin_shutdown"

/* Marks the exports visible even when the plugin builds with -fvisibility=hidden. */
#if defined(__GNUC__)
#define FAKTORY_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define FAKTORY_PLUGIN_EXPORT
#endif

/* Status codes returned across the boundary. 0 is success. */
typedef enum faktory_status {
    FAKTORY_OK = 0,
    FAKTORY_ERROR = 1,        /* generic failure; details via last_error() where a job is at hand */
    FAKTORY_INVALID = 2,      /* a NULL or empty argument, or malformed JSON */
    FAKTORY_DUPLICATE = 3,    /* the jobtype is already registered */
    FAKTORY_TOO_LATE = 4,     /* registration outside init */
    FAKTORY_OUT_OF_RANGE = 5, /* argument index past the end of args */
    FAKTORY_UNAVAILABLE = 6,  /* the host cannot do this here (e.g. push with no producer) */
    FAKTORY_OUTCOME_UNKNOWN = 7 /* push: sent, but the reply was lost; the job may or may not be
                                 * enqueued (jid_out holds its jid). The host did not push it again. */
} faktory_status;

/* The JSON type of one job argument. */
typedef enum faktory_value_type {
    FAKTORY_VALUE_MISSING = 0, /* index past the end of args */
    FAKTORY_VALUE_NULL = 1,
    FAKTORY_VALUE_BOOL = 2,
    FAKTORY_VALUE_INTEGER = 3,
    FAKTORY_VALUE_DOUBLE = 4,
    FAKTORY_VALUE_STRING = 5,
    FAKTORY_VALUE_ARRAY = 6,
    FAKTORY_VALUE_OBJECT = 7
} faktory_value_type;

typedef enum faktory_log_level {
    FAKTORY_LOG_DEBUG = 0,
    FAKTORY_LOG_INFO = 1,
    FAKTORY_LOG_WARNING = 2,
    FAKTORY_LOG_ERROR = 3
} faktory_log_level;

/* A borrowed, NUL-terminated string with its length (bytes, without the NUL). */
typedef struct faktory_string {
    const char* data;
    size_t size;
} faktory_string;

/* One job argument. The caller sets `size` = sizeof(faktory_value); the host
 * fills `type` and the matching member. `text` holds the string for STRING and
 * the element re-encoded as JSON for ARRAY and OBJECT (borrowed, job lifetime).
 * An INTEGER also sets `number`, so a plugin wanting a double may accept both. */
typedef struct faktory_value {
    uint32_t size;
    int32_t type; /* faktory_value_type */
    int32_t boolean;
    int64_t integer;
    double number;
    faktory_string text;
} faktory_value;

/* The previous failure of a retried job (1.1, failure()). Caller sets `size`;
 * strings are borrowed until the handler returns. */
typedef struct faktory_failure {
    uint32_t size;
    int32_t retry_count;    /* failures before this run, minus one (Faktory's count) */
    faktory_string errtype; /* of the last failure */
    faktory_string message;
    faktory_string failed_at; /* RFC 3339 time of the first failure, "" if unknown */
    faktory_string next_at;   /* RFC 3339, "" if unknown */
} faktory_failure;

/* Opaque host objects, only ever handled through pointers. */
typedef struct faktory_job faktory_job;             /* one running job; valid for the handler call */
typedef struct faktory_registrar faktory_registrar; /* the plugin's slot in the generation being built */
/* 1.1: the plugin's handle on the host, for pushing and logging outside a
 * handler (init, the plugin's own threads). OWNERSHIP: the host's; valid from
 * init until shutdown returns; calls after that return FAKTORY_TOO_LATE.
 * THREADS: any thread, concurrently. */
typedef struct faktory_host_handle faktory_host_handle;

/* 1.1: one job to enqueue, with options. Caller sets `size`; strings are copied
 * before the call returns. Only members named in `set` count among the numbers. */
#define FAKTORY_PUSH_RETRY 1u
#define FAKTORY_PUSH_RESERVE_FOR 2u
#define FAKTORY_PUSH_PRIORITY 4u
typedef struct faktory_push {
    uint32_t size;
    const char* jobtype;     /* required */
    const char* args_json;   /* a JSON array; NULL or "" means [] */
    const char* queue;       /* NULL or "" means "default" */
    const char* at;          /* RFC 3339 time to run at; NULL or "" means now */
    const char* custom_json; /* a JSON object, or NULL */
    uint32_t set;            /* FAKTORY_PUSH_* bits */
    int32_t retry;           /* Faktory's retry policy (0 = no retry, -1 = dead at once) */
    int32_t reserve_for;     /* seconds */
    int32_t priority;        /* sent as the job's "priority" field */
} faktory_push;

/* 1.1: one job's result in a bulk push. Caller sets `size`; the host fills the rest. */
typedef struct faktory_push_result {
    uint32_t size;
    int32_t status;  /* FAKTORY_OK, or why this job was not enqueued */
    char jid[64];    /* the new job's jid, NUL-terminated */
    char error[256]; /* the server's reason when status is not FAKTORY_OK */
} faktory_push_result;

/* 1.1: middleware. `next` is the rest of the chain (later middleware, then the
 * handler): call_next(next) runs it once and returns its status. A middleware
 * may run code before and after, or FAIL the job without running it (call
 * fail(), return non-OK without calling next). Return what next returned to
 * pass the outcome on. OWNERSHIP: next is borrowed for the call.
 * THREADS: like handlers, on many threads at once. */
typedef struct faktory_next faktory_next;
typedef int (*faktory_middleware_fn)(faktory_job* job, faktory_next* next, void* user_data);

/* 1.1: the plugin's own state, set by init through faktory_init_args.instance.
 * OWNERSHIP: `instance` is the plugin's; the host only passes it back. The host
 * calls shutdown(instance) once after the faktory_plugin_shutdown export (not
 * when init failed), and destroy(instance) once after every registration's
 * destroy callback (also when init failed), right before unload.
 * THREADS: both run on the thread that unloads the plugin, after all handlers returned. */
typedef struct faktory_instance {
    uint32_t size; /* sizeof on the host */
    void* instance;
    void (*shutdown)(void* instance); /* may be NULL */
    void (*destroy)(void* instance);  /* may be NULL */
} faktory_instance;

/* A handler. Return FAKTORY_OK to ACK. Any other return, or a call to fail(),
 * FAILs the job. `user_data` is what was given to register_handler.
 * THREADS: called on many host threads at once; `job` belongs to this call only. */
typedef int (*faktory_handler_fn)(faktory_job* job, void* user_data);
/* Frees a handler's user_data. May be NULL.
 * OWNERSHIP: called exactly once per successful registration, at unload (also
 * when init fails after registering), after shutdown. Registering one
 * user_data for several jobtypes means destroy runs once per jobtype: the
 * plugin keeps its own reference count then. When register_handler fails, the
 * host keeps nothing and never calls destroy: user_data stays the plugin's.
 * THREADS: runs on the thread that unloads the plugin, never during a handler. */
typedef void (*faktory_destroy_fn)(void* user_data);

/* What the plugin reports about itself before anything else runs. The host
 * picks the plugin's configuration block by `name`. Static storage. */
typedef struct faktory_plugin_info {
    uint32_t size;      /* sizeof(faktory_plugin_info) */
    uint32_t abi_major; /* FAKTORY_PLUGIN_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;
    const char* name;    /* non-empty, e.g. "image-tools" */
    const char* version; /* free text, e.g. "1.4.0" */
} faktory_plugin_info;

/* The host's functions, handed to init.
 * OWNERSHIP: the table is the host's and static: it stays valid as long as the
 * plugin is loaded, so a plugin may keep the pointer.
 * Members are only ever appended; check FAKTORY_HOST_HAS before using one
 * added after 1.0 (they are marked "1.1"). */
typedef struct faktory_host_api {
    uint32_t size; /* sizeof(faktory_host_api) on the host */
    uint32_t abi_major;
    uint32_t abi_minor;

    /* Registration (inside init only). `jobtype` is copied. FAKTORY_INVALID for
     * an empty jobtype, FAKTORY_DUPLICATE when already taken, FAKTORY_TOO_LATE
     * after init returned. A failed registration also fails the plugin's load;
     * registrar_error (1.1) says why.
     * OWNERSHIP: on FAKTORY_OK the host holds user_data until it calls destroy;
     * on any failure it keeps nothing and the plugin still owns user_data. */
    int (*register_handler)(faktory_registrar* registrar, const char* jobtype, faktory_handler_fn handler,
                            void* user_data, faktory_destroy_fn destroy);

    /* Job data. OWNERSHIP: borrowed until the handler returns.
     * THREADS: only on the thread running the job's handler (all job calls). */
    faktory_string (*jid)(const faktory_job* job);
    faktory_string (*jobtype)(const faktory_job* job);
    faktory_string (*queue)(const faktory_job* job);
    faktory_string (*args_json)(const faktory_job* job);   /* a JSON array */
    faktory_string (*custom_json)(const faktory_job* job); /* a JSON object, "{}" when absent */
    int32_t (*retry_count)(const faktory_job* job);        /* 0 on the first run */
    /* Typed arguments by index. arg_count returns 0 when args are not valid JSON.
     * arg returns FAKTORY_OK (value filled), FAKTORY_OUT_OF_RANGE (type MISSING)
     * or FAKTORY_INVALID (args are not a JSON array). */
    size_t (*arg_count)(faktory_job* job);
    int (*arg)(faktory_job* job, size_t index, faktory_value* value);

    /* Nonzero once the host wants the job to stop (shutdown, time limit). Cheap: poll it. */
    int (*cancelled)(const faktory_job* job);

    /* Marks the job failed. All strings are copied; backtrace may be NULL when n is 0.
     * The last call wins. The handler should return soon after. */
    int (*fail)(faktory_job* job, const char* errtype, const char* message, const char* const* backtrace,
                size_t backtrace_count);

    /* Enqueues a new job. args_json must be a JSON array; queue NULL or "" means
     * "default". On success the new jid is copied into jid_out (NUL-terminated,
     * truncated to jid_out_size; both may be 0/NULL). On failure see last_error(). */
    int (*push)(faktory_job* job, const char* jobtype, const char* args_json, const char* queue, char* jid_out,
                size_t jid_out_size);

    /* One log line, tagged with the job's jid and jobtype. level: faktory_log_level. */
    void (*log)(faktory_job* job, int level, const char* message);

    /* The text of the last failed call made with this job (push, arg), "" if none. */
    faktory_string (*last_error)(const faktory_job* job);

    /* A top-level key of the plugin's configuration block (inside init only),
     * so plugins need no JSON parser of their own. FAKTORY_OK (value filled),
     * FAKTORY_OUT_OF_RANGE (no such key; type MISSING), FAKTORY_INVALID (the
     * block is not a JSON object), FAKTORY_TOO_LATE (after init). Strings are
     * borrowed until init returns. */
    int (*config_value)(faktory_registrar* registrar, const char* key, faktory_value* value);

    /* ---- 1.1: check each with FAKTORY_HOST_HAS before calling it. ---- */

    /* The job's retry policy (its `retry` field): FAKTORY_OK with *retry set, or
     * FAKTORY_OUT_OF_RANGE when the job has none (Faktory then uses 25). */
    int (*retry_policy)(faktory_job* job, int32_t* retry);
    /* RFC 3339 times as the job carries them; "" when absent. Borrowed until the handler returns. */
    faktory_string (*at)(faktory_job* job); /* when it was scheduled for */
    faktory_string (*created_at)(faktory_job* job);
    faktory_string (*enqueued_at)(faktory_job* job);
    /* Seconds the server reserves the job for; 0 when the job does not say (Faktory: 1800). */
    int32_t (*reserve_for)(faktory_job* job);
    /* The previous failure of a retried job: FAKTORY_OK (out filled, as far as
     * out->size covers), FAKTORY_OUT_OF_RANGE on a first run (out zeroed). */
    int (*failure)(faktory_job* job, faktory_failure* out);
    /* The whole job as the server sent it, a JSON object. Borrowed until the handler returns. */
    faktory_string (*job_json)(faktory_job* job);
    /* Why the last register_handler or config_value call on this registrar
     * failed ("" if none). Borrowed until init returns. */
    faktory_string (*registrar_error)(const faktory_registrar* registrar);

    /* The instance pointer init set (faktory_init_args.instance), NULL if none. */
    void* (*instance)(faktory_job* job);
    /* The host handle to use from this handler (pushes and logs go with the job's
     * services). OWNERSHIP: borrowed until the handler returns. */
    faktory_host_handle* (*job_host)(faktory_job* job);
    /* Enqueues one job with options. On success the jid is copied into jid_out
     * (truncated to jid_out_size; both may be 0/NULL); on failure a reason into
     * error (error_size bytes, NUL included; both may be 0/NULL). */
    int (*host_push)(faktory_host_handle* host, const faktory_push* job, char* jid_out, size_t jid_out_size, char* error,
                     size_t error_size);
    /* Enqueues `count` jobs in one round trip (PUSHB). Returns FAKTORY_OK when the
     * request went through (each result says whether its job was enqueued), or
     * an error for the whole batch (error filled, results' status set to it). */
    int (*host_push_bulk)(faktory_host_handle* host, const faktory_push* const* jobs, faktory_push_result* const* results,
                          size_t count, char* error, size_t error_size);
    /* A log line from the plugin outside a job, tagged with the plugin's name. */
    void (*host_log)(faktory_host_handle* host, int level, const char* message);
    /* Waits until the job is cancelled or timeout_ms passes; 1 when cancelled, 0 on timeout. */
    int (*wait_cancelled)(faktory_job* job, int64_t timeout_ms);
    /* A file descriptor that becomes readable once the job is cancelled (for
     * poll/select next to the plugin's own sockets); -1 if the host cannot.
     * OWNERSHIP: the host's; closed when the handler returns. Do not read or close it. */
    int (*cancel_fd)(faktory_job* job);
    /* Nonzero when a line of `level` would be written (cheap): skip building
     * expensive debug text when it would be dropped. */
    int (*log_enabled)(faktory_host_handle* host, int level);

    /* Registers an "around" hook (inside init only) named `name` (unique per
     * plugin), for the jobs of `jobtypes` (count 0: every job of every plugin).
     * Middleware runs in the order the host's config gives (plugins.middleware,
     * "plugin/name"), then in load order. user_data/destroy as for register_handler. */
    int (*register_middleware)(faktory_registrar* registrar, const char* name, const char* const* jobtypes,
                               size_t jobtype_count, faktory_middleware_fn fn, void* user_data,
                               faktory_destroy_fn destroy);
    /* Runs the rest of the chain once; returns its status (FAKTORY_OK: on course to ACK). */
    int (*call_next)(faktory_next* next);
    /* How the job stands: FAKTORY_OK (no failure so far) or FAKTORY_ERROR with
     * the failure's errtype and message (borrowed until the handler returns; either may be NULL). */
    int (*outcome)(faktory_job* job, faktory_string* errtype, faktory_string* message);

    /* Structured logs: `message` plus `count` key/value fields (parallel arrays
     * of strings, copied), printed as key=value in text logs and as a "fields"
     * object in JSON logs. job: tagged with jid and jobtype; host: with the plugin. */
    void (*log_fields)(faktory_job* job, int level, const char* message, const char* const* keys,
                       const char* const* values, size_t count);
    void (*host_log_fields)(faktory_host_handle* host, int level, const char* message, const char* const* keys,
                            const char* const* values, size_t count);
} faktory_host_api;

/* Nonzero when `host` (a const faktory_host_api*) has `member` and it is set:
 * the member lies inside the host's table (offsetof + sizeof <= size). Use it
 * before every call to a member newer than 1.0. */
#define FAKTORY_HOST_HAS(host, member)                                                                  \
    ((host) != NULL &&                                                                                   \
     offsetof(faktory_host_api, member) + sizeof(((const faktory_host_api*)0)->member) <= (host)->size && \
     (host)->member != NULL)

/* The size of faktory_host_api in 1.0: hosts emulating an older minor, and
 * plugins telling their users which minor a host speaks. */
#define FAKTORY_HOST_API_SIZE_1_0 \
    (offsetof(faktory_host_api, config_value) + sizeof(((const faktory_host_api*)0)->config_value))

/* What init receives. OWNERSHIP: borrowed for the call (copy config_json if you
 * keep it); the host table pointer stays valid while the plugin is loaded; the
 * registrar must not be used after init returns (calls then get FAKTORY_TOO_LATE). */
typedef struct faktory_init_args {
    uint32_t size; /* sizeof(faktory_init_args) on the host */
    const faktory_host_api* host;
    faktory_registrar* registrar;
    faktory_string config_json; /* the plugin's configuration block as a JSON object, "{}" when none */
    char* error;                /* on failure, write a NUL-terminated reason here ... */
    size_t error_size;          /* ... of at most error_size bytes, the NUL included */
    /* ---- 1.1: check with FAKTORY_INIT_HAS. ---- */
    faktory_host_handle* host_handle;  /* push and log from init and the plugin's threads */
    faktory_instance* instance; /* the plugin may set its instance and callbacks here */
} faktory_init_args;

/* Nonzero when the init block `args` has the 1.1+ `member`. */
#define FAKTORY_INIT_HAS(args, member) \
    ((args) != NULL && offsetof(faktory_init_args, member) + sizeof(((const faktory_init_args*)0)->member) <= (args)->size)

/* The exports. Define them in exactly one source file of the plugin. */
FAKTORY_PLUGIN_EXPORT const faktory_plugin_info* FAKTORY_PLUGIN_QUERY(void);
/* Returns FAKTORY_OK, or anything else after writing a reason into args->error.
 * THREADS: called once, on one host thread, before any handler runs. */
FAKTORY_PLUGIN_EXPORT int FAKTORY_PLUGIN_INIT(const faktory_init_args* args);
/* Optional. Called once after the plugin's last job returned, before the
 * destroy callbacks and the unload; not called when init failed.
 * THREADS: on whichever host thread releases the plugin last; no handler runs then. */
FAKTORY_PLUGIN_EXPORT void FAKTORY_PLUGIN_SHUTDOWN(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FAKTORY_PLUGIN_H */
