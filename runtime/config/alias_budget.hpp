// Guards against "billion laughs": YAML aliases that, expanded, make a tiny file
// into a huge document. Counted on the parser's event stream, before any
// code walks (and so expands) the node graph.
#pragma once
#include <cstddef>
#include <string>

namespace faktory_host::config {

struct AliasBudget {
    std::size_t nodes = 10'000;     // nodes aliases may add to the expanded document
    std::size_t bytes = 1 << 20;    // scalar bytes (keys and values) they may add
};

// Reads the first document of `yaml_text` as events and adds up what every
// alias would add once expanded. Throws ConfigError "<display_name>:line:column: ..."
// at the alias that crosses the budget, or that refers to a node containing
// itself. Syntax errors are left to the real load (nothing is thrown for them here).
void check_alias_budget(const std::string& yaml_text, const std::string& display_name,
                        const AliasBudget& budget = {});

} // namespace faktory_host::config
