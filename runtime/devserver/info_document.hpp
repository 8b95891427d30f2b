// INFO's reply, with exactly the keys and nesting Faktory 1.7.0 answers with,
// and sizes taken from the server's state at the moment of the call.
//
// server.description is "Faktory" on purpose: clients read it to tell the open
// server from Faktory Pro and Enterprise (anything else counts as a commercial
// edition), and the dev server offers only what the open server does.
// server.faktory_version names the Faktory whose behaviour the dev server
// follows; the dev server's own name and version are in keys of their own
// (server.devserver_name, server.devserver_version).
#pragma once
#include <string>

#include "devserver/server_state.hpp"

namespace faktory_host::devserver {

// The version of Faktory whose wire behaviour the dev server reproduces.
inline constexpr const char* followed_faktory_version = "1.7.0";

std::string info_json(ServerState& state);

} // namespace faktory_host::devserver
