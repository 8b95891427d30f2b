// The contract between the host and its client-side TLS module,
// faktory-host-tls.so. TLS lives in a module loaded with dlopen only when a
// tcp+tls:// URL is connected, so a host on plain tcp:// never maps Poco
// NetSSL, Poco Crypto/Util/XML or OpenSSL (about 3 MB resident).
//
// Both sides are built together by this project with the same compiler and
// the same Poco, so the table passes C++ and Poco types; only the entry point
// is extern "C" (a name dlsym can find). Nothing throws across the boundary:
// failures come back as a Failure, and the host words the error.
#pragma once
#include <chrono>
#include <string>

#include "protocol/client.hpp"  // TlsOptions

namespace Poco::Net {
class SocketAddress;
class StreamSocket;
} // namespace Poco::Net

namespace faktory_host::protocol::tls {

// Bumped whenever ModuleApi changes, so a stale module is refused, not called.
inline constexpr int module_abi_version = 1;
// The one symbol the module exports.
inline constexpr const char* module_entry_point = "faktory_host_tls_module";
// The module's file name; where it is found is tls_module_loader.hpp's business.
inline constexpr const char* module_file_name = "faktory-host-tls.so";

struct Failure {
    enum class Kind {
        none,
        tls,        // the TLS layer refused (context, certificate, handshake): Poco SSLException
        connect,    // the TCP connect failed (refused, unreachable, timed out)
        timed_out,  // the handshake did not finish within the timeout
    };
    Kind kind = Kind::none;
    std::string text;  // what the exception said (displayText()); empty for timed_out
};

struct ModuleApi {
    int abi_version;
    // A TCP-connected TLS client socket (a Poco SecureStreamSocket), the
    // handshake not yet started so the caller can watch the descriptor first;
    // nullptr with `failure` filled in when it cannot be made. The caller
    // owns the socket (deleting it through StreamSocket* is fine: virtual).
    Poco::Net::StreamSocket* (*connect)(const Poco::Net::SocketAddress& address, const std::string& peer_host,
                                        const TlsOptions& tls, std::chrono::milliseconds timeout,
                                        Failure& failure) noexcept;
    // Runs the handshake on a socket from connect() within `timeout`;
    // false with `failure` filled in when it fails or times out.
    bool (*complete_handshake)(Poco::Net::StreamSocket& socket, std::chrono::milliseconds timeout,
                               Failure& failure) noexcept;
    // The OpenSSL the module runs with, e.g. "OpenSSL 3.0.11 19 Sep 2023".
    const char* (*openssl_version)() noexcept;
};

using ModuleEntryPoint = const ModuleApi* (*)();

} // namespace faktory_host::protocol::tls
