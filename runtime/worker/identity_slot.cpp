// The shared worker identity and wid generation.
#include "worker/identity_slot.hpp"

#include "protocol/random_id.hpp"

namespace faktory_host::worker {

std::string new_wid() { return protocol::random_hex_id(64); }

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
