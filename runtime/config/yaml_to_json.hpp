// Turns a plugin's YAML block into the compact JSON text the plugin receives at init.
#pragma once
#include <string>

#include <yaml-cpp/yaml.h>

namespace faktory_host::config {

// Plain scalars are typed by the YAML 1.2 core schema (null, true/false, JSON numbers);
// every quoted or otherwise spelled scalar stays a string. Throws std::invalid_argument
// for what JSON cannot express (non-scalar keys, absurd nesting from self-referencing aliases).
std::string yaml_to_compact_json(const YAML::Node& node);

} // namespace faktory_host::config
