// load_config / parse_config: YAML text -> validated Config. Syntax errors and
// every validation error carry file:line:column.
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "config/config.hpp"
#include "config/config_node.hpp"
#include "config/sections.hpp"

namespace faktory_host::config {

namespace {

Config parse_with_source(const std::string& yaml_text, const std::shared_ptr<const ConfigSource>& source) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& error) {
        const int line = error.mark.is_null() ? 1 : error.mark.line + 1;
        const int column = error.mark.is_null() ? 1 : error.mark.column + 1;
        throw ConfigError(source->display_name + ":" + std::to_string(line) + ":" + std::to_string(column) +
                          ": invalid YAML: " + error.msg);
    }

    const ConfigNode top(root, "", YAML::Mark(), source);
    top.expect_keys({"faktory", "worker", "plugins", "log", "metrics"});
    Config config;
    config.faktory = read_faktory_section(top.child("faktory").value_or(ConfigNode({}, "faktory", {}, source)));
    config.worker = read_worker_section(top.child("worker").value_or(ConfigNode({}, "worker", {}, source)));
    config.plugins = read_plugins_section(top.child("plugins").value_or(ConfigNode({}, "plugins", {}, source)));
    config.log = read_log_section(top.child("log").value_or(ConfigNode({}, "log", {}, source)));
    config.metrics = read_metrics_section(top.child("metrics").value_or(ConfigNode({}, "metrics", {}, source)));
    return config;
}

} // namespace

Config parse_config(const std::string& yaml_text, const std::filesystem::path& source_name) {
    auto source = std::make_shared<ConfigSource>(ConfigSource{source_name.string(), source_name.parent_path()});
    Config config = parse_with_source(yaml_text, source);
    config.source = source_name;
    return config;
}

Config load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const std::error_code error(errno, std::generic_category());
        throw ConfigError(file.string() + ": cannot read config file: " + error.message());
    }
    std::ostringstream text;
    text << in.rdbuf();
    // Absolute, so paths stay right after the daemon changes its working directory.
    const auto absolute = std::filesystem::absolute(file).lexically_normal();
    auto source = std::make_shared<ConfigSource>(ConfigSource{file.string(), absolute.parent_path()});
    Config config = parse_with_source(text.str(), source);
    config.source = absolute;
    return config;
}

} // namespace faktory_host::config
