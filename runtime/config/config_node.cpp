// Checked reads from YAML nodes; the shape of every config error message lives here.
#include "config/config_node.hpp"

#include <charconv>
#include <set>
#include <stdexcept>

#include "config/accepted_keys.hpp"
#include "config/closest_name.hpp"

namespace faktory_host::config {

ConfigNode::ConfigNode(YAML::Node node, std::string path, YAML::Mark mark,
                       std::shared_ptr<const ConfigSource> source)
    : node_(std::move(node)), path_(std::move(path)), mark_(mark), source_(std::move(source)) {
    // yaml-cpp gives an empty value (`key:`) no mark of its own; the key's mark stands in.
    if (node_.IsDefined() && !node_.Mark().is_null()) mark_ = node_.Mark();
}

std::string ConfigNode::location() const {
    if (source_->command_line) return source_->display_name + ": ";
    const int line = mark_.is_null() ? 1 : mark_.line + 1;
    const int column = mark_.is_null() ? 1 : mark_.column + 1;
    return source_->display_name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

void ConfigNode::fail(const std::string& message) const {
    // The option's name says which key it sets; the path would only repeat it.
    if (source_->command_line) throw OverrideError(location() + message);
    throw ConfigError(location() + (path_.empty() ? "" : path_ + ": ") + message);
}

void ConfigNode::fail_plain(const std::string& message) const {
    if (source_->command_line) throw OverrideError(location() + message);
    throw ConfigError(location() + message);
}

bool ConfigNode::is_quoted() const {
    // yaml-cpp tags a quoted scalar "!" and a plain one "?"; explicit tags (!!int) keep theirs.
    return node_.IsScalar() && node_.Tag() == "!";
}

std::string ConfigNode::describe_kind() const {
    switch (node_.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "nothing";
    }
}

void ConfigNode::require_mapping() const {
    if (!is_null() && !node_.IsMap()) fail("expected a mapping (key: value), got " + describe_kind());
}

std::vector<std::pair<ConfigNode, ConfigNode>> ConfigNode::entries() const {
    require_mapping();
    std::vector<std::pair<ConfigNode, ConfigNode>> result;
    if (is_null()) return result;
    std::set<std::string> seen;
    const std::string prefix = path_.empty() ? "" : path_ + ".";
    for (const auto& entry : node_) {
        ConfigNode key(entry.first, path_, mark_, source_);
        if (!entry.first.IsScalar()) key.fail("keys must be plain names, got " + key.describe_kind());
        const std::string& name = entry.first.Scalar();
        if (!seen.insert(name).second)
            key.fail_plain("duplicate key '" + name + "' in " + (path_.empty() ? "the top level" : path_));
        ConfigNode value(entry.second, prefix + name, key.mark_, source_);
        result.emplace_back(std::move(key), std::move(value));
    }
    return result;
}

void ConfigNode::expect_keys(const std::vector<std::string_view>& allowed) const {
    report_expected_keys(path_, allowed);  // a no-op unless accepted_config_keys() is probing
    for (const auto& [key, value] : entries()) {
        const std::string& name = key.yaml().Scalar();
        bool known = false;
        for (const auto candidate : allowed) known = known || candidate == name;
        if (known) continue;
        // Built by appending: GCC 12's -Wrestrict misfires on `"literal" + string` at -O3.
        std::string message = "unknown key '";
        message.append(name).append("' in ").append(path_.empty() ? "the top level" : path_);
        if (const auto suggestion = closest_name(name, allowed)) {
            message.append("; did you mean '").append(*suggestion).append("'?");
        } else {
            message += "; valid keys:";
            for (const auto candidate : allowed) message.append(" ").append(candidate);
        }
        key.fail_plain(message);
    }
}

std::optional<ConfigNode> ConfigNode::child(const std::string& key) const {
    const std::string dotted = path_.empty() ? key : path_ + "." + key;
    if (const auto found = source_->overrides.find(dotted); found != source_->overrides.end()) {
        require_mapping();  // a file whose section is the wrong kind is reported as such
        const Override& override = found->second;
        auto origin = std::make_shared<ConfigSource>(
            ConfigSource{override.option, std::filesystem::current_path(), true, {}});
        return ConfigNode(YAML::Node(override.value), dotted, YAML::Mark(), std::move(origin));
    }
    for (auto& [name, value] : entries())
        if (name.yaml().Scalar() == key) return std::move(value);
    return std::nullopt;
}

std::vector<ConfigNode> ConfigNode::items() const {
    if (!is_null() && !node_.IsSequence()) fail("expected a list, got " + describe_kind());
    std::vector<ConfigNode> result;
    if (is_null()) return result;
    std::size_t index = 0;
    for (const auto& item : node_)
        result.emplace_back(item, path_ + "[" + std::to_string(index++) + "]", mark_, source_);
    return result;
}

std::string ConfigNode::as_string() const {
    if (!node_.IsScalar()) fail("expected a string, got " + describe_kind());
    return node_.Scalar();
}

unsigned ConfigNode::as_unsigned(unsigned min, unsigned max) const {
    const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (!node_.IsScalar()) fail("expected " + range + ", got " + describe_kind());
    const std::string& text = node_.Scalar();
    if (is_quoted()) fail("expected " + range + " written without quotes, got the string \"" + text + "\"");
    unsigned long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        fail("expected " + range + ", got '" + text + "'");
    return static_cast<unsigned>(value);
}

bool ConfigNode::as_bool() const {
    if (!node_.IsScalar()) fail("expected true or false, got " + describe_kind());
    const std::string& text = node_.Scalar();
    if (is_quoted()) fail("expected true or false written without quotes, got the string \"" + text + "\"");
    // YAML 1.2 core booleans only: "yes"/"on" are too easy to write by accident.
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    fail("expected true or false, got '" + text + "'");
}

Duration ConfigNode::as_duration(Duration max) const {
    if (!node_.IsScalar()) fail("expected a duration such as 500ms, 25s, 2m or 1h, got " + describe_kind());
    Duration value{};
    try {
        value = parse_duration(node_.Scalar());
    } catch (const std::invalid_argument& error) {
        fail(error.what());
    }
    if (value > max) fail("must be at most " + format_duration(max) + ", got '" + node_.Scalar() + "'");
    return value;
}

std::filesystem::path ConfigNode::as_path() const {
    const std::string text = as_string();
    if (text.empty()) fail("expected a path, got an empty string");
    return resolve(text);
}

std::filesystem::path ConfigNode::resolve(const std::filesystem::path& path) const {
    if (path.is_absolute()) return path.lexically_normal();
    return (source_->base_dir / path).lexically_normal();
}

} // namespace faktory_host::config
