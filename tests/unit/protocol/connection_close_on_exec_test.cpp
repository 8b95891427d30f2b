// A Connection's socket is close-on-exec: a process a plugin starts must not
// inherit the host's connection to Faktory and hold it open after the host.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <string>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "protocol/connection.hpp"

using namespace faktory_host::protocol;

namespace {

// The descriptor of this process whose peer is 127.0.0.1:`port`, or -1.
int descriptor_connected_to(std::uint16_t port) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        const int fd = std::stoi(entry.path().filename().string());
        sockaddr_in peer{};
        socklen_t length = sizeof peer;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0 && peer.sin_family == AF_INET &&
            ntohs(peer.sin_port) == port)
            return fd;
    }
    return -1;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_plain_connection_is_closed_on_exec) {
    // The kernel completes the TCP handshake from the backlog; nobody needs to accept.
    Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
    ServerUrl url;
    url.host = "127.0.0.1";
    url.port = listener.address().port();
    Connection connection(url, ConnectionOptions{});

    const int fd = descriptor_connected_to(url.port);
    BOOST_REQUIRE(fd >= 0);
    BOOST_TEST((::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
}
