// One warning per outage, one info line at recovery.
#include "worker/outage_log.hpp"

namespace faktory_host::worker {

OutageLog::OutageLog(Poco::Logger& logger, std::string server) : logger_(logger), server_(std::move(server)) {}

void OutageLog::connection_lost(const std::string& what, const std::string& error) {
    std::lock_guard lock(mutex_);
    if (failing_++ == 0) {
        since_ = std::chrono::steady_clock::now();
        logger_.warning("lost connection to Faktory at " + server_ + " (" + what + ": " + error +
                        "); reconnecting with backoff, results are kept until delivered");
    } else {
        logger_.debug(what + ": connection to " + server_ + " failed: " + error);
    }
}

void OutageLog::connection_restored() {
    std::lock_guard lock(mutex_);
    if (failing_ > 0 && --failing_ == 0) {
        const auto down = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since_);
        logger_.information("reconnected to Faktory at " + server_ + " after " + std::to_string(down.count()) + " ms");
    }
}

} // namespace faktory_host::worker
