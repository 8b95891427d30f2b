// SHA-256 iteration for the Faktory HELLO pwdhash.
#include "protocol/password_hash.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

namespace faktory_host::protocol {

std::string password_hash(const std::string& password, const std::string& salt, int iterations) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(password);
    engine.update(salt);
    Poco::DigestEngine::Digest digest = engine.digest();  // digest() also resets the engine
    for (int i = 1; i < iterations; ++i) {
        engine.update(digest.data(), static_cast<unsigned>(digest.size()));
        digest = engine.digest();
    }
    return Poco::DigestEngine::digestToHex(digest);
}

} // namespace faktory_host::protocol
