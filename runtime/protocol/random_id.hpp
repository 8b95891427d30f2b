// Random identifiers for the wire: jids and wids, lowercase hex from the OS
// entropy source, long enough that two never meet.
#pragma once
#include <cstddef>
#include <string>

namespace faktory_host::protocol {

// `bits` random bits (a multiple of 4) as that many / 4 lowercase hex digits.
std::string random_hex_id(std::size_t bits);

} // namespace faktory_host::protocol
