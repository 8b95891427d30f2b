// Time, level and thread rendering shared by the text and JSON log formatters.
#include "logging/log_fields.hpp"

#include <pthread.h>

#include <Poco/DateTimeFormatter.h>

namespace faktory_host::logging {

std::string log_time(const Poco::Message& message) {
    return Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ");
}

std::string log_thread_name(const Poco::Message& message) {
    if (!message.getThread().empty()) return message.getThread();
    char name[64] = {};
    if (pthread_getname_np(pthread_self(), name, sizeof name) == 0 && name[0] != '\0') return name;
    return "thread";
}

} // namespace faktory_host::logging
