// The worker identity every connection of this process HELLOs with. All
// processors of all pools and the heartbeat share one wid; a reload assumes
// a fresh one, and each connection moves to it (END, then HELLO again) when
// its owner is between jobs. Each change bumps an epoch so a connection can
// tell it is out of date, and the lifecycle grants FETCHes per epoch.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "protocol/client.hpp"

namespace faktory_host::worker {

// A fresh random worker id: 16 lowercase hex characters.
std::string new_wid();

struct IdentitySnapshot {
    std::uint64_t epoch = 0;
    std::optional<protocol::WorkerIdentity> identity;  // none before the first assume()
};

class IdentitySlot {
public:
    IdentitySnapshot current() const;
    void assume(protocol::WorkerIdentity identity);
    // The wid last assumed.
    std::string wid() const;

private:
    mutable std::mutex mutex_;
    IdentitySnapshot current_;
    std::string last_wid_;
};

} // namespace faktory_host::worker
