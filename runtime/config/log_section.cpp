// The `log:` section: level (Poco priority names) and text or JSON lines.
#include "config/sections.hpp"
#include "logging/log_levels.hpp"

namespace faktory_host::config {

LogConfig read_log_section(const ConfigNode& section) {
    section.expect_keys({"level", "format"});
    LogConfig log;
    if (auto level = section.child("level")) {
        log.level = level->as_string();
        if (!logging::find_log_level(log.level))
            level->fail("expected one of " + logging::log_level_names() + "; got '" + log.level + "'");
    }
    if (auto format = section.child("format")) {
        const auto text = format->as_string();
        if (text == "text")
            log.format = LogConfig::Format::text;
        else if (text == "json")
            log.format = LogConfig::Format::json;
        else
            format->fail("expected 'text' or 'json', got '" + text + "'");
    }
    return log;
}

} // namespace faktory_host::config
