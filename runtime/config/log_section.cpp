// The `log:` section: level (Poco priority names) and text or JSON lines.
#include "config/sections.hpp"

namespace faktory_host::config {


LogConfig read_log_section(const ConfigNode& section) {
    section.expect_keys({"level", "format"});
    LogConfig log;
    if (auto level = section.child("level")) {
        static const char* const valid[] = {"trace", "debug",    "information", "notice",
                                            "warning", "error", "critical",    "fatal"};
        log.level = level->as_string();
        bool known = false;
        std::string list;
        for (const char* name : valid) {
            known = known || log.level == name;
            list += list.empty() ? name : std::string(", ") + name;
        }
        if (!known) level->fail("expected one of " + list + "; got '" + log.level + "'");
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
