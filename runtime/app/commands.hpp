// faktory-host's subcommands, one source file each. Each returns the process
// exit code; errors they cannot handle (config, URL, usage) propagate to cli.cpp,
// which prints them.
#pragma once
#include "app/command_line.hpp"

namespace faktory_host::app {

int run_host(const CommandLine& line);     // the default: WorkerHost until terminated
int run_check(const CommandLine& line);    // check
int run_one_job(const CommandLine& line);  // run-job
int run_push(const CommandLine& line);     // push

} // namespace faktory_host::app
