/* faktory/plugin.h: the Faktory Host plugin ABI, plain C99 — the only contract
 * between the host and a plugin. A plugin is a shared object exporting:
 *
 *   faktory_plugin_query      required; side-effect free; the host calls it first
 *   FAKTORY_PLUGIN_INIT       required (faktory_plugin_init_v1); registers handlers
 *   faktory_plugin_shutdown   optional; after the plugin's last job returned, before unload
 *
 * Rules, for both sides:
 * - Versioning: the host refuses a plugin whose abi_major differs from its own.
 *   A breaking change bumps FAKTORY_PLUGIN_ABI_MAJOR and renames the init
 *   symbol, so a mismatched pair fails at symbol lookup instead of misbehaving.
 *   Compatible additions bump the minor and are appended to the end of a struct.
 * - Every struct crossing the boundary starts with `size` (its sizeof on the
 *   side that filled it); each side reads only the members that size covers.
 * - Ownership: strings the host hands over (faktory_string, config_json) are
 *   borrowed: valid until the call that received them returns — for job data,
 *   until the handler returns. Copy what you keep. Strings a plugin passes in
 *   are copied by the host before the call returns. Nothing is ever freed
 *   across the boundary: what the plugin allocates, the plugin frees (see the
 *   `destroy` callback of register_handler).
 * - No C++ exception may leave a plugin function; report failures with
 *   status codes and fail(). (faktory/plugin.hpp does this for C++ plugins.)
 * - Handlers run on many host threads at once; a handler must be thread-safe.
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
#define FAKTORY_PLUGIN_ABI_MINOR 0

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

/* Opaque host objects, only ever handled through pointers. */
typedef struct faktory_job faktory_job;             /* one running job; valid for the handler call */
typedef struct faktory_registrar faktory_registrar; /* the plugin's slot in the generation being built */

/* A handler. Return FAKTORY_OK to ACK. Any other return, or a call to fail(),
 * FAILs the job. `user_data` is what was given to register_handler. */
typedef int (*faktory_handler_fn)(faktory_job* job, void* user_data);
/* Frees a handler's user_data; called once, when the plugin is unloaded. May be NULL. */
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

/* The host's functions, handed to init. The table is static: it stays valid
 * as long as the plugin is loaded, so a plugin may keep the pointer. Members
 * are only ever appended; check `size` before using one added after 1.0. */
typedef struct faktory_host_api {
    uint32_t size; /* sizeof(faktory_host_api) on the host */
    uint32_t abi_major;
    uint32_t abi_minor;

    /* Registration (inside init only). `jobtype` is copied. FAKTORY_INVALID for
     * an empty jobtype, FAKTORY_DUPLICATE when already taken, FAKTORY_TOO_LATE
     * after init returned. A failed registration also fails the plugin's load. */
    int (*register_handler)(faktory_registrar* registrar, const char* jobtype, faktory_handler_fn handler,
                            void* user_data, faktory_destroy_fn destroy);

    /* Job data, borrowed until the handler returns. */
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
} faktory_host_api;

/* What init receives. Borrowed for the call; the host table pointer stays valid. */
typedef struct faktory_init_args {
    uint32_t size; /* sizeof(faktory_init_args) on the host */
    const faktory_host_api* host;
    faktory_registrar* registrar;
    faktory_string config_json; /* the plugin's configuration block as a JSON object, "{}" when none */
    char* error;                /* on failure, write a NUL-terminated reason here ... */
    size_t error_size;          /* ... of at most error_size bytes, the NUL included */
} faktory_init_args;

/* The exports. Define them in exactly one source file of the plugin. */
FAKTORY_PLUGIN_EXPORT const faktory_plugin_info* FAKTORY_PLUGIN_QUERY(void);
/* Returns FAKTORY_OK, or anything else after writing a reason into args->error. */
FAKTORY_PLUGIN_EXPORT int FAKTORY_PLUGIN_INIT(const faktory_init_args* args);
/* Optional. Called once after the plugin's last job returned, before it is unloaded. */
FAKTORY_PLUGIN_EXPORT void FAKTORY_PLUGIN_SHUTDOWN(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FAKTORY_PLUGIN_H */
