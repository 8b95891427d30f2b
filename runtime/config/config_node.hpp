// A YAML node together with where it came from (file, line, column, dotted key
// path), so every read either yields a checked value or a ConfigError a user can act on.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"

namespace faktory_host::config {

struct ConfigSource {
    std::string display_name;         // as the user named the file (or the option); starts every message
    std::filesystem::path base_dir;   // relative paths in the file resolve against this
    bool command_line = false;        // an Override's value: messages name the option, not a position
    std::map<std::string, Override> overrides;  // dotted key -> the value that replaces the file's
};

class ConfigNode {
public:
    ConfigNode(YAML::Node node, std::string path, YAML::Mark mark, std::shared_ptr<const ConfigSource> source);

    const YAML::Node& yaml() const { return node_; }
    const std::string& path() const { return path_; }
    bool is_null() const { return !node_.IsDefined() || node_.IsNull(); }

    // "file:line:column: " (1-based) for this node.
    std::string location() const;
    // Throws ConfigError "file:line:column: <path>: <message>".
    [[noreturn]] void fail(const std::string& message) const;
    // Throws ConfigError "file:line:column: <message>" (the message names what it is about).
    [[noreturn]] void fail_plain(const std::string& message) const;

    // Mapping access. A null node reads as an empty mapping, so `worker:` with
    // every child commented out is valid. Unknown and duplicate keys are errors.
    void expect_keys(const std::vector<std::string_view>& allowed) const;
    // The value at `key`: a command-line override of it when there is one, else the file's.
    std::optional<ConfigNode> child(const std::string& key) const;
    // Each (key, value) of a mapping; keys must be scalars and unique.
    std::vector<std::pair<ConfigNode, ConfigNode>> entries() const;
    // Each item of a sequence (null reads as empty).
    std::vector<ConfigNode> items() const;

    std::string as_string() const;  // any scalar; never echoes the value in errors
    // Numbers and booleans must be written plain: a quoted "5" or "true" is a
    // string in YAML, and the file's own types follow YAML (as plugin blocks do).
    unsigned as_unsigned(unsigned min, unsigned max) const;
    bool as_bool() const;
    // At most `max` (no duration may pass max_duration, so none overflows a
    // clock's arithmetic at run time); lower limits are each key's own.
    Duration as_duration(Duration max = max_duration) const;
    std::filesystem::path as_path() const;  // resolved against the config file's folder

    // A relative path made relative to the config file's folder instead of the working directory.
    std::filesystem::path resolve(const std::filesystem::path& path) const;

private:
    void require_mapping() const;
    std::string describe_kind() const;
    bool is_quoted() const;

    YAML::Node node_;
    std::string path_;
    YAML::Mark mark_;
    std::shared_ptr<const ConfigSource> source_;
};

} // namespace faktory_host::config
