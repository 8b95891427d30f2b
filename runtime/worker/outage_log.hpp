// Logs a lost server as one warning per outage, not one line per reconnect
// attempt of every connection, and one info line when all connections are back.
#pragma once
#include <chrono>
#include <mutex>
#include <string>

#include <Poco/Logger.h>

namespace faktory_host::worker {

class OutageLog {
public:
    OutageLog(Poco::Logger& logger, std::string server);  // `server`: the masked URL

    // A connection that was fine failed (`what` names it, `error` says why).
    void connection_lost(const std::string& what, const std::string& error);
    // A connection that had failed is connected again.
    void connection_restored();

private:
    Poco::Logger& logger_;
    std::string server_;
    std::mutex mutex_;
    int failing_ = 0;
    std::chrono::steady_clock::time_point since_;
};

} // namespace faktory_host::worker
