// ensure_ssl_initialized(): Poco::Net::initializeSSL() behind a once flag.
#include "protocol/tls/ssl_init.hpp"

#include <mutex>

#include <Poco/Net/SSLManager.h>

namespace faktory_host::protocol {

void ensure_ssl_initialized() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

} // namespace faktory_host::protocol
