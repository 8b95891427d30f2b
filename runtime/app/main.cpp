// faktory-host: runs Faktory jobs through handler plugins (see cli.hpp).
#include "app/cli.hpp"
#include "app/host_signals.hpp"

int main(int argc, char** argv) {
    // First, before any thread exists, so every thread inherits the mask.
    faktory_host::app::block_host_signals();
    return faktory_host::app::run_cli(argc, argv);
}
