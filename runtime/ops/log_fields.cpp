// Time, level and thread rendering shared by the text and JSON log formatters.
#include "ops/log_fields.hpp"

#include <pthread.h>

#include <Poco/DateTimeFormatter.h>

namespace faktory_host::ops {

std::string log_time(const Poco::Message& message) {
    return Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ");
}

const char* short_level_name(Poco::Message::Priority priority) {
    switch (priority) {
    case Poco::Message::PRIO_FATAL: return "FATAL";
    case Poco::Message::PRIO_CRITICAL: return "CRIT";
    case Poco::Message::PRIO_ERROR: return "ERROR";
    case Poco::Message::PRIO_WARNING: return "WARN";
    case Poco::Message::PRIO_NOTICE: return "NOTICE";
    case Poco::Message::PRIO_INFORMATION: return "INFO";
    case Poco::Message::PRIO_DEBUG: return "DEBUG";
    case Poco::Message::PRIO_TRACE: return "TRACE";
    }
    return "?";
}

const char* level_name(Poco::Message::Priority priority) {
    switch (priority) {
    case Poco::Message::PRIO_FATAL: return "fatal";
    case Poco::Message::PRIO_CRITICAL: return "critical";
    case Poco::Message::PRIO_ERROR: return "error";
    case Poco::Message::PRIO_WARNING: return "warning";
    case Poco::Message::PRIO_NOTICE: return "notice";
    case Poco::Message::PRIO_INFORMATION: return "information";
    case Poco::Message::PRIO_DEBUG: return "debug";
    case Poco::Message::PRIO_TRACE: return "trace";
    }
    return "unknown";
}

std::string log_thread_name(const Poco::Message& message) {
    if (!message.getThread().empty()) return message.getThread();
    char name[64] = {};
    if (pthread_getname_np(pthread_self(), name, sizeof name) == 0 && name[0] != '\0') return name;
    return "thread";
}

} // namespace faktory_host::ops
