/* A plain-C plugin built out of tree with find_package(FaktoryHost). */
#include <faktory/plugin.h>

static const faktory_host_api* host;

static int hello(faktory_job* job, void* user_data) {
    (void)user_data;
    host->log(job, FAKTORY_LOG_INFO, "hello from C");
    return FAKTORY_OK;
}

const faktory_plugin_info* faktory_plugin_query(void) {
    static const faktory_plugin_info info = {sizeof(faktory_plugin_info), FAKTORY_PLUGIN_ABI_MAJOR,
                                             FAKTORY_PLUGIN_ABI_MINOR, "hello-c", "0.1.0"};
    return &info;
}

int faktory_plugin_init_v1(const faktory_init_args* args) {
    host = args->host;
    return host->register_handler(args->registrar, "HelloC", hello, 0, 0);
}
