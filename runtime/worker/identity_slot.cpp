// The shared worker identity and wid generation.
#include "worker/identity_slot.hpp"

#include <random>

#include <Poco/NumberFormatter.h>
#include <Poco/String.h>

namespace faktory_host::worker {

std::string new_wid() {
    std::random_device device;
    const std::uint64_t bits = (std::uint64_t{device()} << 32) | device();
    return Poco::toLower(Poco::NumberFormatter::formatHex(bits, 16));
}

IdentitySnapshot IdentitySlot::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

void IdentitySlot::assume(protocol::WorkerIdentity identity) {
    std::lock_guard lock(mutex_);
    last_wid_ = identity.wid;
    ++current_.epoch;
    current_.identity = std::move(identity);
}

std::string IdentitySlot::wid() const {
    std::lock_guard lock(mutex_);
    return last_wid_;
}

} // namespace faktory_host::worker
