// libFuzzer target: the YAML configuration loader on any text. A bad file may
// only raise ConfigError (file:line:column); it must never crash, hang, or
// expand aliases past the budget.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.hpp"

using faktory_host::config::ConfigError;
using faktory_host::config::parse_config;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string yaml(reinterpret_cast<const char*>(data), size);
    try {
        (void)parse_config(yaml, "/fuzz/faktory-host.yaml");
    } catch (const ConfigError& error) {
        // Every refusal names the file first.
        if (std::string(error.what()).rfind("/fuzz/faktory-host.yaml", 0) != 0) __builtin_trap();
    }
    return 0;
}
