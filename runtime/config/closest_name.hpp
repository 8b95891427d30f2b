// Spelling suggestions for config errors: the valid name nearest to a typo,
// so "concurency" gets "did you mean 'concurrency'?".
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faktory_host::config {

// Levenshtein distance (insert, delete, substitute each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is near enough to be a plausible typo.
std::optional<std::string> closest_name(std::string_view word, const std::vector<std::string_view>& candidates);

} // namespace faktory_host::config
