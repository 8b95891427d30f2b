// Every key faktory-host.yaml may contain, as dotted paths
// ("worker.pools[].name"), learned from the loader itself: each section
// reader's expect_keys() reports its allowed keys while probe documents are
// parsed, and each key is probed as a mapping and as a list of mappings to
// find the nested sections. So a key added to a reader shows up here without
// anyone keeping a second list.
#pragma once
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace faktory_host::config {

struct AcceptedKeys {
    std::set<std::string> keys;      // every accepted key path
    std::set<std::string> sections;  // the paths whose keys are fixed ("" = top level, "worker.pools[]")
};

AcceptedKeys accepted_config_keys();

// Used by ConfigNode::expect_keys: records `allowed` under `path` ("[N]"
// indices folded to "[]") when a probe on this thread is listening.
void report_expected_keys(const std::string& path, const std::vector<std::string_view>& allowed);

} // namespace faktory_host::config
