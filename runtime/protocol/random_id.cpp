// Random identifiers for the wire.
#include "protocol/random_id.hpp"

#include <cstdint>
#include <random>

namespace faktory_host::protocol {

std::string random_hex_id(std::size_t bits) {
    // random_device is the OS entropy source on Linux: no seeding to get wrong.
    std::random_device entropy;
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    id.reserve(bits / 4);
    std::uint32_t word = 0;
    for (std::size_t nibble = 0; nibble < bits / 4; ++nibble) {
        if (nibble % 8 == 0) word = entropy();
        id += hex[word & 0xf];
        word >>= 4;
    }
    return id;
}

} // namespace faktory_host::protocol
