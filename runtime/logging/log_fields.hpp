// The fields both log formats share, rendered the same way: UTC time with
// milliseconds, level names, and the name of the thread that logged.
#pragma once
#include <string>

#include <Poco/Message.h>

#include "logging/log_levels.hpp"  // level_name, short_level_name

namespace faktory_host::logging {

// "2026-11-28T14:00:00.123Z"
std::string log_time(const Poco::Message& message);
// The Poco thread name if a Poco::Thread logged, else the OS thread name
// (pthread_setname_np), so std::threads can be named too. Only valid while
// formatting in the thread that logged, which the channel guarantees.
std::string log_thread_name(const Poco::Message& message);

} // namespace faktory_host::logging
