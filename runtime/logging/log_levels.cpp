// The one table of log levels behind parsing, config validation and both formatters.
#include "logging/log_levels.hpp"

namespace faktory_host::logging {

namespace {

struct LogLevel {
    const char* name;
    const char* short_name;
    Poco::Message::Priority priority;
};

// Least to most severe, the order the names are listed in messages.
constexpr LogLevel levels[] = {
    {"trace", "TRACE", Poco::Message::PRIO_TRACE},
    {"debug", "DEBUG", Poco::Message::PRIO_DEBUG},
    {"information", "INFO", Poco::Message::PRIO_INFORMATION},
    {"notice", "NOTICE", Poco::Message::PRIO_NOTICE},
    {"warning", "WARN", Poco::Message::PRIO_WARNING},
    {"error", "ERROR", Poco::Message::PRIO_ERROR},
    {"critical", "CRIT", Poco::Message::PRIO_CRITICAL},
    {"fatal", "FATAL", Poco::Message::PRIO_FATAL},
};

const LogLevel* level_of(Poco::Message::Priority priority) {
    for (const auto& level : levels)
        if (level.priority == priority) return &level;
    return nullptr;
}

} // namespace

std::optional<Poco::Message::Priority> find_log_level(std::string_view name) {
    for (const auto& level : levels)
        if (name == level.name) return level.priority;
    return std::nullopt;
}

std::string log_level_names() {
    std::string names;
    for (const auto& level : levels) names.append(names.empty() ? "" : ", ").append(level.name);
    return names;
}

const char* level_name(Poco::Message::Priority priority) {
    const auto* level = level_of(priority);
    return level != nullptr ? level->name : "unknown";
}

const char* short_level_name(Poco::Message::Priority priority) {
    const auto* level = level_of(priority);
    return level != nullptr ? level->short_name : "?";
}

} // namespace faktory_host::logging
