// load_config / parse_config / default_config: YAML text -> validated Config.
// Syntax errors and every validation error carry file:line:column; the
// alias budget is checked before anything walks the node graph.
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include <yaml-cpp/depthguard.h>

#include "config/alias_budget.hpp"
#include "config/config.hpp"
#include "config/config_node.hpp"
#include "config/sections.hpp"

namespace faktory_host::config {

namespace {

// A configuration is a page or two; anything this large is a mistake (or
// /dev/zero), and reading it whole would only waste memory.
constexpr std::streamsize max_file_bytes = 1 << 20;

std::shared_ptr<ConfigSource> make_source(std::string display_name, std::filesystem::path base_dir,
                                          const std::vector<Override>& overrides) {
    auto source =
        std::make_shared<ConfigSource>(ConfigSource{std::move(display_name), std::move(base_dir), false, {}});
    for (const auto& override : overrides) source->overrides[override.key] = override;
    return source;
}

Config parse_with_source(const std::string& yaml_text, const std::shared_ptr<const ConfigSource>& source) {
    check_alias_budget(yaml_text, source->display_name);
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::DeepRecursion& error) {
        // yaml-cpp stops runaway nesting itself but calls it "bad file"; say what it is.
        throw ConfigError(source->display_name + ":" + std::to_string(error.mark.line + 1) + ":" +
                          std::to_string(error.mark.column + 1) + ": invalid YAML: nested deeper than " +
                          std::to_string(error.depth()) + " levels");
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

Config parse_config(const std::string& yaml_text, const std::filesystem::path& source_name,
                    const std::vector<Override>& overrides) {
    Config config =
        parse_with_source(yaml_text, make_source(source_name.string(), source_name.parent_path(), overrides));
    config.source = source_name;
    return config;
}

Config default_config(const std::vector<Override>& overrides) {
    return parse_with_source("", make_source("(built-in defaults)", std::filesystem::current_path(), overrides));
}

Config load_config(const std::filesystem::path& file, const std::vector<Override>& overrides) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const std::error_code error(errno, std::generic_category());
        throw ConfigError(file.string() + ": cannot read config file: " + error.message());
    }
    std::string text(static_cast<std::size_t>(max_file_bytes) + 1, '\0');
    in.read(text.data(), max_file_bytes + 1);
    if (in.bad()) throw ConfigError(file.string() + ": cannot read config file (is it a folder?)");
    if (in.gcount() > max_file_bytes)
        throw ConfigError(file.string() + ": config file is larger than " + std::to_string(max_file_bytes >> 20) +
                          " MiB; is it the right file?");
    text.resize(static_cast<std::size_t>(in.gcount()));
    // Absolute, so paths stay right after the daemon changes its working directory.
    const auto absolute = std::filesystem::absolute(file).lexically_normal();
    Config config = parse_with_source(text, make_source(file.string(), absolute.parent_path(), overrides));
    config.source = absolute;
    return config;
}

} // namespace faktory_host::config
