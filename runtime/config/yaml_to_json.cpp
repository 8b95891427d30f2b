// YAML -> compact JSON for plugin blocks; strings escaped by Poco's JSON escaping.
#include "config/yaml_to_json.hpp"

#include <cctype>
#include <sstream>
#include <stdexcept>

#include <Poco/JSONString.h>

namespace faktory_host::config {

namespace {

// An alias can point at its own ancestor; no sane plugin block nests this deep.
constexpr int max_depth = 64;

bool is_core_bool(const std::string& s) {
    return s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE";
}

// The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(const std::string& s) {
    std::size_t i = 0;
    const auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) ++i;
        return i - start;
    };
    if (i < s.size() && s[i] == '-') ++i;
    const std::size_t integer_start = i;
    const std::size_t integer_digits = digits();
    if (integer_digits == 0 || (integer_digits > 1 && s[integer_start] == '0')) return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == s.size();
}

void write_scalar(const YAML::Node& node, std::ostream& out) {
    const std::string& text = node.Scalar();
    // Tag "?" marks a plain (unquoted, untagged) scalar: only those get inferred types.
    if (node.Tag() == "?") {
        if (is_core_bool(text)) {
            out << (text[0] == 't' || text[0] == 'T' ? "true" : "false");
            return;
        }
        if (is_json_number(text)) {
            out << text;
            return;
        }
    }
    Poco::toJSON(text, out, Poco::JSON_WRAP_STRINGS);
}

void write(const YAML::Node& node, std::ostream& out, int depth) {
    if (depth > max_depth) throw std::invalid_argument("nested deeper than 64 levels");
    switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
        out << "null";
        return;
    case YAML::NodeType::Scalar:
        write_scalar(node, out);
        return;
    case YAML::NodeType::Sequence: {
        out << '[';
        bool first = true;
        for (const auto& item : node) {
            if (!first) out << ',';
            first = false;
            write(item, out, depth + 1);
        }
        out << ']';
        return;
    }
    case YAML::NodeType::Map: {
        out << '{';
        bool first = true;
        for (const auto& entry : node) {
            if (!entry.first.IsScalar()) throw std::invalid_argument("JSON object keys must be plain scalars");
            if (!first) out << ',';
            first = false;
            Poco::toJSON(entry.first.Scalar(), out, Poco::JSON_WRAP_STRINGS);
            out << ':';
            write(entry.second, out, depth + 1);
        }
        out << '}';
        return;
    }
    }
}

} // namespace

std::string yaml_to_compact_json(const YAML::Node& node) {
    std::ostringstream out;
    write(node, out, 0);
    return out.str();
}

} // namespace faktory_host::config
