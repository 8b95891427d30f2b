// faktory-host-tls.so: the client side of TLS (Poco NetSSL over OpenSSL),
// kept out of the host executable and loaded only for tcp+tls:// URLs.
// The contract is tls_module_abi.hpp; Connection does the rest (deadlines,
// the stop watch, error wording).
#include <memory>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timespan.h>
#include <openssl/crypto.h>

#include "protocol/tls/ssl_init.hpp"
#include "protocol/tls/tls_module_abi.hpp"

namespace faktory_host::protocol::tls {

namespace {

Poco::Timespan to_timespan(std::chrono::milliseconds ms) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

Poco::Net::Context::Ptr client_context(const TlsOptions& tls) {
    ensure_ssl_initialized();
    Poco::Net::Context::Params params;
    params.caLocation = tls.ca_file;
    params.loadDefaultCAs = tls.ca_file.empty();
    params.verificationMode = tls.verify_peer ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Per-context so verification never depends on a global SSLManager setup.
    context->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(false));
    return context;
}

// Runs `step`; an exception becomes `failure` (SSL errors apart from the rest,
// as the host words them differently) and the result is false.
template <typename Step>
bool guarded(Failure& failure, Step&& step) noexcept {
    try {
        try {
            step();
            return true;
        } catch (const Poco::Net::SSLException& e) {
            failure = {Failure::Kind::tls, e.displayText()};
        } catch (const Poco::Exception& e) {
            failure = {Failure::Kind::connect, e.displayText()};
        } catch (const std::exception& e) {
            failure = {Failure::Kind::connect, e.what()};
        }
    } catch (...) {
        // Copying the message itself failed (out of memory): report without it.
        failure.kind = Failure::Kind::connect;
    }
    return false;
}

Poco::Net::StreamSocket* connect(const Poco::Net::SocketAddress& address, const std::string& peer_host,
                                 const TlsOptions& tls, std::chrono::milliseconds timeout,
                                 Failure& failure) noexcept {
    std::unique_ptr<Poco::Net::SecureStreamSocket> secure;
    const bool ok = guarded(failure, [&] {
        secure = std::make_unique<Poco::Net::SecureStreamSocket>(client_context(tls));
        secure->setPeerHostName(peer_host);
        // Poco's connect() does not bound the handshake, so the host has it
        // run separately (complete_handshake) under the connect timeout.
        secure->setLazyHandshake(true);
        secure->connect(address, to_timespan(timeout));
    });
    return ok ? secure.release() : nullptr;
}

bool complete_handshake(Poco::Net::StreamSocket& socket, std::chrono::milliseconds timeout,
                        Failure& failure) noexcept {
    bool finished = false;
    const bool ok = guarded(failure, [&] {
        auto& secure = dynamic_cast<Poco::Net::SecureStreamSocket&>(socket);
        secure.setReceiveTimeout(to_timespan(timeout));
        secure.setSendTimeout(to_timespan(timeout));
        finished = secure.completeHandshake() == 1;
    });
    if (ok && !finished) failure = {Failure::Kind::timed_out, {}};
    return ok && finished;
}

const char* openssl_version() noexcept { return OpenSSL_version(OPENSSL_VERSION); }

constexpr ModuleApi module_api{module_abi_version, &connect, &complete_handshake, &openssl_version};

} // namespace

} // namespace faktory_host::protocol::tls

extern "C" __attribute__((visibility("default"))) const faktory_host::protocol::tls::ModuleApi*
faktory_host_tls_module() {
    return &faktory_host::protocol::tls::module_api;
}
