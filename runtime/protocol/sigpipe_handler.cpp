// The process-wide no-op SIGPIPE handler (see sigpipe_handler.hpp).
#include "protocol/sigpipe_handler.hpp"

#include <pthread.h>

#include <csignal>
#include <mutex>

namespace faktory_host::protocol {

namespace {

// Does nothing: its only job is to keep SIGPIPE from killing the process, so
// the write that raised it fails with EPIPE and becomes a ConnectionError.
void on_sigpipe(int) {}

void install_unless_taken() {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) != 0) return;
    // Someone (the embedding application, a test framework) decided already.
    // (sa_handler and sa_sigaction share storage: SIG_DFL reads as null in both.)
    if (current.sa_handler != SIG_DFL) return;
    struct sigaction action {};
    action.sa_handler = on_sigpipe;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGPIPE, &action, nullptr);
}

} // namespace

void install_sigpipe_handler_once() {
    static std::once_flag once;
    std::call_once(once, install_unless_taken);
}

void take_over_sigpipe_in_main() {
    // Handler first: a SIGPIPE already pending is then delivered to it, not to the default action.
    install_sigpipe_handler_once();
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &pipe, nullptr);
}

} // namespace faktory_host::protocol
