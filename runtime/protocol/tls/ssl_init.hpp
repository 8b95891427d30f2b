// Poco NetSSL's process-wide set-up, done once. Used by the client-side TLS
// module (faktory-host-tls.so) and by the dev server's TLS listener; the host
// executable itself never links it (see tls_module_abi.hpp for why).
#pragma once

namespace faktory_host::protocol {

// Initializes Poco NetSSL once per process; safe to call from any thread.
void ensure_ssl_initialized();

} // namespace faktory_host::protocol
