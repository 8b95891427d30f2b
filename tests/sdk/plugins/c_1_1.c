/* A C plugin built against SDK 1.1 that follows the version rule by hand: it
 * uses 1.1 members only after FAKTORY_HOST_HAS / FAKTORY_INIT_HAS, and falls
 * back to 1.0 behaviour on an older host. "WhichHost" logs what it found. */
#include <faktory/plugin.h>

#include <stdio.h>

static const faktory_host_api* host;
static int init_had_handle;

static int which_host(faktory_job* job, void* user_data) {
    char line[160];
    (void)user_data;
    if (FAKTORY_HOST_HAS(host, job_json)) {
        faktory_string json = host->job_json(job);
        snprintf(line, sizeof line, "1.1 host, handle at init: %s, job: %.*s", init_had_handle ? "yes" : "no",
                 (int)json.size, json.data);
    } else {
        snprintf(line, sizeof line, "1.0 host, handle at init: %s", init_had_handle ? "yes" : "no");
    }
    host->log(job, FAKTORY_LOG_INFO, line);
    return FAKTORY_OK;
}

FAKTORY_PLUGIN_EXPORT const faktory_plugin_info* faktory_plugin_query(void) {
    static const faktory_plugin_info info = {sizeof(faktory_plugin_info), FAKTORY_PLUGIN_ABI_MAJOR,
                                             FAKTORY_PLUGIN_ABI_MINOR, "c-one-one", "1.1.0"};
    return &info;
}

FAKTORY_PLUGIN_EXPORT int faktory_plugin_init_v1(const faktory_init_args* args) {
    host = args->host;
    init_had_handle = FAKTORY_INIT_HAS(args, host_handle) && args->host_handle != NULL;
    return host->register_handler(args->registrar, "WhichHost", which_host, NULL, NULL);
}
