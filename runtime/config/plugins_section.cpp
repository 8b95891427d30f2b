// The `plugins:` section: where plugins live, each plugin's own config block
// (handed over as JSON), the permission check switch, SHA-256 pins and the
// fallback folder for plugin copies.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "config/sections.hpp"
#include "config/yaml_to_json.hpp"

namespace faktory_host::config {

namespace {

std::map<std::string, std::string> read_plugin_blocks(const ConfigNode& node) {
    std::map<std::string, std::string> blocks;
    for (const auto& [key, value] : node.entries()) {
        const auto name = key.as_string();
        // A plugin receives its block as a JSON object, so nothing else will do.
        if (!value.yaml().IsMap() && !value.is_null())
            value.fail("must be a mapping (it is handed to plugin '" + name + "' as a JSON object)");
        if (value.is_null()) value.fail("must be a mapping; write {} for an empty one");
        try {
            blocks[name] = yaml_to_compact_json(value.yaml());
        } catch (const std::invalid_argument& error) {
            value.fail(error.what());
        }
    }
    return blocks;
}

std::map<std::string, std::string> read_pins(const ConfigNode& node) {
    std::map<std::string, std::string> pins;
    for (const auto& [key, value] : node.entries()) {
        const auto file = key.as_string();
        if (file.find('/') != std::string::npos)
            key.fail("pins are keyed by the plugin's file name (e.g. hello.so), not a path: '" + file + "'");
        auto digest = value.as_string();
        const bool hex = std::all_of(digest.begin(), digest.end(),
                                     [](unsigned char c) { return std::isxdigit(c) != 0; });
        if (digest.size() != 64 || !hex)
            value.fail("expected a SHA-256 digest as 64 hex digits (sha256sum prints it), got '" + digest + "'");
        std::transform(digest.begin(), digest.end(), digest.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        pins[file] = digest;
    }
    return pins;
}

} // namespace

PluginsConfig read_plugins_section(const ConfigNode& section) {
    section.expect_keys({"dir", "config", "check_permissions", "pins", "copy_dir", "middleware"});
    PluginsConfig plugins;
    // The default "plugins" is relative too: it means next to the config file.
    plugins.dir = section.resolve(plugins.dir);
    if (auto dir = section.child("dir")) plugins.dir = dir->as_path();
    if (auto blocks = section.child("config")) plugins.config_json = read_plugin_blocks(*blocks);
    if (auto check = section.child("check_permissions")) plugins.check_permissions = check->as_bool();
    if (auto pins = section.child("pins")) plugins.sha256_pins = read_pins(*pins);
    if (auto copy_dir = section.child("copy_dir")) plugins.copy_dir = copy_dir->as_path();
    if (auto middleware = section.child("middleware")) {
        for (const auto& item : middleware->items()) {
            const auto id = item.as_string();
            if (id.find('/') == std::string::npos || id.front() == '/' || id.back() == '/')
                item.fail("a middleware id is <plugin>/<name> (e.g. timing/timing), got '" + id + "'");
            plugins.middleware.push_back(id);
        }
    }
    return plugins;
}

} // namespace faktory_host::config
