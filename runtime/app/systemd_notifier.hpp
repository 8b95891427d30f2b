// The systemd notify protocol without libsystemd: a few datagrams to the
// unix socket named by NOTIFY_SOCKET. READY=1 once the first plugin
// generation is loaded and the server reached (the engine left `starting`),
// WATCHDOG=1 every half WATCHDOG_USEC while the process lives, STOPPING=1
// when it terminates. Without NOTIFY_SOCKET it does nothing and starts no thread.
#pragma once
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <Poco/Logger.h>

#include "worker/worker_host.hpp"

namespace faktory_host::app {

// Sends one notification to $NOTIFY_SOCKET (a path, or "@name" for the
// abstract namespace). Returns false when unset or the send failed.
bool notify_systemd(const std::string& message);

class SystemdNotifier {
public:
    SystemdNotifier(const worker::WorkerHost& host, Poco::Logger& logger);
    ~SystemdNotifier();  // stops and joins the thread
    SystemdNotifier(const SystemdNotifier&) = delete;
    SystemdNotifier& operator=(const SystemdNotifier&) = delete;

    // STOPPING=1, once (also sent by the thread when it sees the engine terminate).
    void announce_stopping();

private:
    void watch(std::stop_token stop);

    const worker::WorkerHost& host_;
    Poco::Logger& logger_;
    std::optional<std::chrono::microseconds> watchdog_interval_;  // half of WATCHDOG_USEC
    std::atomic<bool> stopping_sent_{false};
    std::jthread thread_;  // last: starts after everything it uses exists
};

} // namespace faktory_host::app
