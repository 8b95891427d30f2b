// Probing the loader for the keys it accepts.
#include "config/accepted_keys.hpp"

#include <regex>

#include "config/config.hpp"

namespace faktory_host::config {

namespace {

using Catalog = std::map<std::string, std::set<std::string>>;  // section path -> its keys

thread_local Catalog* listening = nullptr;

std::string fold_indices(const std::string& path) { return std::regex_replace(path, std::regex(R"(\[[0-9]+\])"), "[]"); }

std::string join(const std::string& section, const std::string& key) {
    return section.empty() ? key : section + "." + key;
}

// A flow-style document setting `path` ("a.b[].c") to `value`.
std::string document_setting(const std::string& path, const std::string& value) {
    std::vector<std::string> segments;
    for (std::size_t start = 0;;) {
        const auto dot = path.find('.', start);
        segments.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    std::string text = value;
    for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
        const bool list = it->size() > 2 && it->ends_with("[]");
        const std::string name = list ? it->substr(0, it->size() - 2) : *it;
        text = "{" + name + ": " + (list ? "[" + text + "]" : text) + "}";
    }
    return text;
}

void probe(Catalog& catalog, const std::string& yaml) {
    listening = &catalog;
    try {
        parse_config(yaml, "probe.yaml");
    } catch (const std::exception&) {
        // Probes are often invalid on purpose; what the readers reported before failing is what counts.
    }
    listening = nullptr;
}

} // namespace

void report_expected_keys(const std::string& path, const std::vector<std::string_view>& allowed) {
    if (!listening) return;
    auto& keys = (*listening)[fold_indices(path)];
    for (const auto key : allowed) keys.insert(std::string(key));
}

AcceptedKeys accepted_config_keys() {
    Catalog catalog;
    probe(catalog, "{}");
    std::set<std::string> probed;
    for (bool learned = true; learned;) {
        learned = false;
        const Catalog snapshot = catalog;
        for (const auto& [section, keys] : snapshot) {
            for (const auto& key : keys) {
                const auto path = join(section, key);
                if (!probed.insert(path).second) continue;
                probe(catalog, document_setting(path, "{}"));
                probe(catalog, document_setting(path, "[{}]"));
                learned = true;
            }
        }
    }
    AcceptedKeys out;
    for (const auto& [section, keys] : catalog) {
        out.sections.insert(section);
        for (const auto& key : keys) out.keys.insert(join(section, key));
    }
    return out;
}

} // namespace faktory_host::config
