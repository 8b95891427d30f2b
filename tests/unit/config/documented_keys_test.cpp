// config/faktory-host.yaml documents every key the loader accepts, and no
// other: the accepted keys come from the loader itself (accepted_keys.hpp),
// the documented ones from the file's set and commented-out key lines.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <regex>
#include <vector>

#include "config/accepted_keys.hpp"

using namespace faktory_host::config;

namespace {

// Key paths written in the file, set or commented out ("  # url: ..."), by
// indentation. "- key:" starts a list item ("pools[]"). Keys under mappings
// whose keys are free (plugins.config, pins, job_timeout, ...) are skipped:
// they are examples of user data, not configuration keys.
std::set<std::string> documented_keys(const std::string& file, const std::set<std::string>& sections) {
    std::ifstream in(file);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " << file);
    const std::regex set_key(R"(^( *)(- )?([A-Za-z_][A-Za-z0-9_]*):( |$))");
    const std::regex commented_key(R"(^( *)# ( *)(- )?([a-z_][a-z0-9_]*):( |$))");
    struct Level {
        std::size_t indent;
        std::string path;
    };
    std::vector<Level> stack;
    std::set<std::string> keys;
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        std::size_t indent = 0;
        bool item = false;
        std::string key;
        if (std::regex_search(line, m, set_key)) {
            indent = m[1].length();
            item = m[2].matched;
            key = m[3];
        } else if (std::regex_search(line, m, commented_key)) {
            indent = m[1].length() + m[2].length();
            item = m[3].matched;
            key = m[4];
        } else {
            continue;
        }
        if (item) {
            while (!stack.empty() && stack.back().indent >= indent) stack.pop_back();
            const std::string list = stack.empty() ? "" : stack.back().path;
            stack.push_back({indent, list + "[]"});
            indent += 2;
        }
        while (!stack.empty() && stack.back().indent >= indent) stack.pop_back();
        const std::string parent = stack.empty() ? "" : stack.back().path;
        const std::string path = parent.empty() ? key : parent + "." + key;
        stack.push_back({indent, path});
        if (sections.count(parent)) keys.insert(path);
    }
    return keys;
}

std::string listed(const std::set<std::string>& keys) {
    std::string out;
    for (const auto& key : keys) out += " " + key;
    return out.empty() ? " (none)" : out;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_loader_reports_nested_sections_and_list_items) {
    const auto accepted = accepted_config_keys();
    for (const auto* key : {"faktory.url", "faktory.tls.verify", "worker.pools[].name", "worker.queues",
                            "plugins.pins", "log.format", "metrics.listen"})
        BOOST_TEST(accepted.keys.count(key) == 1u, key);
    BOOST_TEST(accepted.sections.count("worker.pools[]") == 1u);
    BOOST_TEST(accepted.sections.count("plugins.config") == 0u);  // free-form: any plugin name
}

BOOST_AUTO_TEST_CASE(the_shipped_config_documents_exactly_the_keys_the_loader_accepts) {
    const char* file = std::getenv("FAKTORY_HOST_DEFAULT_CONFIG");
    BOOST_TEST_REQUIRE(file != nullptr, "FAKTORY_HOST_DEFAULT_CONFIG must name config/faktory-host.yaml");
    const auto accepted = accepted_config_keys();
    const auto documented = documented_keys(file, accepted.sections);
    std::set<std::string> undocumented, unknown;
    for (const auto& key : accepted.keys)
        if (!documented.count(key)) undocumented.insert(key);
    for (const auto& key : documented)
        if (!accepted.keys.count(key)) unknown.insert(key);
    BOOST_TEST(undocumented.empty(), "accepted by the loader but not in " << file << ":" << listed(undocumented));
    BOOST_TEST(unknown.empty(), "in " << file << " but refused by the loader:" << listed(unknown));
}
