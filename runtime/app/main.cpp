// faktory-host: runs Faktory jobs through handler plugins (see cli.hpp).
#include "app/cli.hpp"
#include "protocol/sigpipe_handler.hpp"

int main(int argc, char** argv) {
    // Before any thread exists: every thread inherits the mask, and so does every process a plugin starts.
    faktory_host::protocol::take_over_sigpipe_in_main();
    return faktory_host::app::run_cli(argc, argv);
}
