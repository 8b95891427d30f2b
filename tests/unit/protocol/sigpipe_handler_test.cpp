// SIGPIPE's one home (protocol/sigpipe_handler): a Connection installs a
// no-op handler, never SIG_IGN (which children would inherit across exec),
// only when SIGPIPE is still at its default, and writing to a peer that
// closed is a ConnectionError, not a dead process. The TLS case is in
// client_test (it has the certificate fixture).
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <string>

#include "protocol/connection.hpp"
#include "protocol/errors.hpp"
#include "protocol/sigpipe_handler.hpp"
#include "support/scripted_server.hpp"

using namespace std::chrono_literals;
using namespace faktory_host::protocol;
using faktory_host::testing::FakeServer;
using faktory_host::testing::Peer;

namespace {

struct sigaction sigpipe_disposition() {
    struct sigaction current {};
    sigaction(SIGPIPE, nullptr, &current);
    return current;
}

bool is_a_handler(const struct sigaction& action) {
    return action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN;
}

// Runs `body` in a forked copy of this process and returns its exit code
// (128 + signal when a signal ended it). Forked while the process still has
// one thread, and before any Connection: the copy's install-once is fresh.
int in_child(const std::function<int()>& body) {
    const pid_t child = fork();
    if (child == 0) _exit(body());
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void custom_handler(int) {}

// Poco Foundation blocks SIGPIPE in the thread that loads it (this test's
// main thread): unblocked, a SIGPIPE is delivered here and now, as it is in
// faktory-host, instead of waiting pending and proving nothing.
class SigpipeUnblocked {
public:
    SigpipeUnblocked() {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_UNBLOCK, &pipe, &previous_);
    }
    ~SigpipeUnblocked() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

private:
    sigset_t previous_{};
};

ConnectionOptions quick_options() {
    ConnectionOptions options;
    options.connect_timeout = 5s;
    options.read_timeout = 5s;
    return options;
}

} // namespace

// First in this file: the forks need a process in which nothing installed the handler yet.
BOOST_AUTO_TEST_CASE(the_handler_replaces_only_the_default_disposition) {
    BOOST_TEST_REQUIRE(sigpipe_disposition().sa_handler == SIG_DFL);

    BOOST_TEST(in_child([] {
                   install_sigpipe_handler_once();
                   const auto installed = sigpipe_disposition();
                   return is_a_handler(installed) && (installed.sa_flags & SA_RESTART) ? 0 : 1;
               }) == 0);
    BOOST_TEST(in_child([] {
                   std::signal(SIGPIPE, SIG_IGN);  // the application's choice
                   install_sigpipe_handler_once();
                   return sigpipe_disposition().sa_handler == SIG_IGN ? 0 : 1;
               }) == 0);
    BOOST_TEST(in_child([] {
                   std::signal(SIGPIPE, custom_handler);
                   install_sigpipe_handler_once();
                   return sigpipe_disposition().sa_handler == custom_handler ? 0 : 1;
               }) == 0);
}

BOOST_AUTO_TEST_CASE(take_over_in_main_unblocks_sigpipe_that_poco_blocked) {
    BOOST_TEST(in_child([] {
                   sigset_t mask;
                   pthread_sigmask(SIG_SETMASK, nullptr, &mask);
                   if (sigismember(&mask, SIGPIPE) != 1) return 2;  // Poco's blocker did not run: nothing shown
                   take_over_sigpipe_in_main();
                   pthread_sigmask(SIG_SETMASK, nullptr, &mask);
                   return sigismember(&mask, SIGPIPE) == 0 && is_a_handler(sigpipe_disposition()) ? 0 : 1;
               }) == 0);
}

BOOST_AUTO_TEST_CASE(a_connection_leaves_sigpipe_with_a_handler_not_ignored) {
    FakeServer server([](Peer& peer, int) { peer.send("+HI {\"v\":2}\r\n"); });
    ServerUrl url;
    url.host = "127.0.0.1";
    url.port = server.port();
    Connection connection(url, quick_options());
    const auto disposition = sigpipe_disposition();
    BOOST_TEST(disposition.sa_handler != SIG_IGN);  // SIG_IGN would be inherited by every child across exec
    BOOST_TEST(is_a_handler(disposition));
    BOOST_TEST((disposition.sa_flags & SA_RESTART) != 0);
}

BOOST_AUTO_TEST_CASE(writing_to_a_plain_tcp_peer_that_closed_is_a_connection_error_and_the_process_lives) {
    SigpipeUnblocked unblocked;
    FakeServer server([](Peer& peer, int) { peer.send("+HI {\"v\":2}\r\n"); });  // then closes
    ServerUrl url;
    url.host = "127.0.0.1";
    url.port = server.port();
    Connection connection(url, quick_options());
    server.join();  // the peer has closed its end

    // The first writes may still be taken by the kernel; once the peer's reset is in, every write
    // fails with EPIPE, which without MSG_NOSIGNAL or a handler would raise a deadly SIGPIPE.
    const std::string chunk(64 * 1024, 'x');
    int failures = 0;
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (failures < 3 && std::chrono::steady_clock::now() < until) {
        try {
            connection.send_raw(chunk);
        } catch (const ConnectionError&) {
            ++failures;
        }
    }
    BOOST_TEST(failures == 3);
}
