// Test helper: parse YAML text that must be rejected and hand back the message.
#pragma once
#include <string>

#include <boost/test/unit_test.hpp>

#include "config/config.hpp"

namespace faktory_host::config::testing {

inline std::string config_error(const std::string& yaml, const std::string& source = "/etc/fh/host.yaml") {
    try {
        parse_config(yaml, source);
    } catch (const ConfigError& error) {
        return error.what();
    }
    BOOST_FAIL("expected a ConfigError for:\n" + yaml);
    return {};
}

} // namespace faktory_host::config::testing
