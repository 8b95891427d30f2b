// The HELLO `pwdhash`: proves the password to the server without sending it.
#pragma once
#include <string>

namespace faktory_host::protocol {

// Lowercase hex of SHA-256 applied `iterations` times in total:
// h1 = sha256(password + salt), h(n+1) = sha256(raw 32 bytes of h(n)).
// `iterations` below 1 is treated as 1, as the server does.
std::string password_hash(const std::string& password, const std::string& salt, int iterations);

} // namespace faktory_host::protocol
