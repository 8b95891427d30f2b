// The loader's options from the `plugins:` section.
#include "worker/loader_options.hpp"

namespace faktory_host::worker {

plugins::LoaderOptions loader_options(const config::PluginsConfig& plugins) {
    plugins::LoaderOptions options;
    options.dir = plugins.dir;
    options.check_permissions = plugins.check_permissions;
    options.config_json = plugins.config_json;
    options.sha256_pins = plugins.sha256_pins;
    options.copy_dir = plugins.copy_dir;
    options.middleware_order = plugins.middleware;
    return options;
}

} // namespace faktory_host::worker
