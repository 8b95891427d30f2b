// sd_notify over a datagram socket, and the thread that tells systemd about
// readiness, liveness and stopping.
#include "app/systemd_notifier.hpp"

#include <cstdlib>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace faktory_host::app {

namespace {

using namespace std::chrono_literals;

// How often the engine's state is looked at: READY and STOPPING go out within this.
constexpr auto state_poll = 100ms;

std::optional<std::chrono::microseconds> watchdog_interval_from_environment() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (!usec) return std::nullopt;
    // WATCHDOG_PID, when set, names the process the watchdog is meant for.
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid && std::atol(pid) != static_cast<long>(::getpid()))
        return std::nullopt;
    const long long value = std::atoll(usec);
    if (value <= 0) return std::nullopt;
    return std::chrono::microseconds(value / 2);  // systemd's advice: ping at half the timeout
}

} // namespace

bool notify_systemd(const std::string& message) {
    const char* socket_name = std::getenv("NOTIFY_SOCKET");
    if (!socket_name || !*socket_name) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::size_t length = std::strlen(socket_name);
    if (length >= sizeof(address.sun_path) || (socket_name[0] != '/' && socket_name[0] != '@')) return false;
    std::memcpy(address.sun_path, socket_name, length);
    if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
    const auto sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&address), size);
    ::close(fd);
    return sent == static_cast<ssize_t>(message.size());
}

SystemdNotifier::SystemdNotifier(const worker::WorkerHost& host, Poco::Logger& logger)
    : host_(host), logger_(logger), watchdog_interval_(watchdog_interval_from_environment()) {
    const char* socket_name = std::getenv("NOTIFY_SOCKET");
    if (socket_name && *socket_name) thread_ = std::jthread([this](std::stop_token stop) { watch(stop); });
}

SystemdNotifier::~SystemdNotifier() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
}

void SystemdNotifier::announce_stopping() {
    if (!stopping_sent_.exchange(true)) notify_systemd("STOPPING=1");
}

void SystemdNotifier::watch(std::stop_token stop) {
    using State = worker::LifecycleState;
    bool ready = false;
    auto next_ping = std::chrono::steady_clock::now();
    while (!stop.stop_requested()) {
        const auto state = host_.state();
        if (!ready && state != State::starting && state != State::terminating && state != State::stopped) {
            ready = true;
            if (!notify_systemd("READY=1\nSTATUS=running, wid " + host_.wid() + "\nMAINPID=" +
                                std::to_string(::getpid())))
                logger_.warning("could not send READY=1 to systemd at $NOTIFY_SOCKET");
        }
        if (state == State::terminating || state == State::stopped) announce_stopping();
        const auto now = std::chrono::steady_clock::now();
        if (watchdog_interval_ && now >= next_ping) {
            notify_systemd("WATCHDOG=1");
            next_ping = now + *watchdog_interval_;
        }
        auto wait = std::chrono::duration_cast<std::chrono::microseconds>(state_poll);
        if (watchdog_interval_) wait = std::min(wait, *watchdog_interval_);
        std::this_thread::sleep_for(wait);
    }
}

} // namespace faktory_host::app
