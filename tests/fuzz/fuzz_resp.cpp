// libFuzzer target: the RESP reader, fed any bytes in awkward chunks. A bad
// stream may only raise ProtocolError; whatever it reads must survive
// encode -> read unchanged (the dev server and the client share both halves).
#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/errors.hpp"
#include "protocol/resp.hpp"

namespace resp = faktory_host::protocol::resp;
using faktory_host::protocol::ProtocolError;

namespace {

// Limits small enough that the fuzzer reaches them with short inputs.
resp::ReaderLimits small_limits() {
    resp::ReaderLimits limits;
    limits.max_line = 256;
    limits.max_bulk = 4096;
    limits.max_array_length = 64;
    limits.max_depth = 8;
    return limits;
}

void check_round_trip(const resp::Value& value) {
    const std::string encoded = resp::encode(value);
    resp::StringSource source(encoded);
    resp::RespReader reader(source);
    const resp::Value again = reader.read();  // anything thrown here is a bug: no catch
    if (resp::encode(again) != encoded) __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks how the bytes arrive (0: all at once) and which reader entry point runs.
    const std::size_t chunk = data[0] % 8;
    const bool command_lines = (data[0] & 0x80) != 0;
    std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    resp::StringSource source(std::move(bytes), chunk);
    resp::RespReader reader(source, small_limits());
    try {
        for (int i = 0; i < 64; ++i) {
            if (command_lines) {
                if (!reader.read_command_line()) break;
            } else {
                check_round_trip(reader.read());
            }
        }
    } catch (const ProtocolError&) {
        // The only way the reader may refuse input.
    }
    return 0;
}
