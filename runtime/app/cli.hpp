// faktory-host's entry point behind main(): parses the command line, runs the
// subcommand, and turns the errors users can fix into one line and an exit code.
#pragma once

namespace faktory_host::app {

// Only `run` takes over the control signals (host_signals.hpp); the other
// subcommands leave them at their defaults, so Ctrl-C just works there.
// Exit codes: 0 fine, 1 failure (config, plugins, server, FAIL), 2 usage.
int run_cli(int argc, char** argv);

} // namespace faktory_host::app
