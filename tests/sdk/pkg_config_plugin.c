/* A plain-C plugin compiled with nothing but the flags pkg-config gives. */
#include <faktory/plugin.h>

static const faktory_host_api* host;

static int from_pkg_config(faktory_job* job, void* user_data) {
    (void)user_data;
    host->log(job, FAKTORY_LOG_INFO, "built with pkg-config");
    return FAKTORY_OK;
}

const faktory_plugin_info* faktory_plugin_query(void) {
    static const faktory_plugin_info info = {sizeof(faktory_plugin_info), FAKTORY_PLUGIN_ABI_MAJOR,
                                             FAKTORY_PLUGIN_ABI_MINOR, "pkg-config-plugin", "0.1.0"};
    return &info;
}

int faktory_plugin_init_v1(const faktory_init_args* args) {
    host = args->host;
    return host->register_handler(args->registrar, "FromPkgConfig", from_pkg_config, 0, 0);
}
