// The work-protocol verbs after the handshake: one command line in, one RESP
// reply out, worded as Faktory words them.
#pragma once
#include <atomic>
#include <string>
#include <string_view>

#include "devserver/server_state.hpp"

namespace faktory_host::devserver {

// Who is asking: what HELLO said, and whether this connection registered its wid.
struct CommandOrigin {
    std::string wid;
    bool registered_wid = false;
    const std::atomic<bool>* abandon = nullptr;  // set when the connection is being dropped
};

struct CommandReply {
    std::string bytes;   // encoded RESP; empty with close = true means "close without a word"
    bool close = false;  // END, or the server wants the connection gone
};

CommandReply execute_command(ServerState& state, const CommandOrigin& origin, std::string_view line);

} // namespace faktory_host::devserver
