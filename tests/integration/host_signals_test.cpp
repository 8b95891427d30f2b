// The control signals' self-pipe (app/host_signals): HUP, INT, TERM, TSTP
// and TTIN are relayed through the pipe in the order they came, without a
// single signal blocked; the handler never blocks (a full pipe drops) and
// leaves errno alone; the pipe is close-on-exec; the dispositions before it
// come back when it goes. Signals are raise()d, so delivered to this thread.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <set>
#include <stdexcept>
#include <vector>

#include "app/host_signals.hpp"

using namespace std::chrono_literals;
using faktory_host::app::ControlSignalPipe;

namespace {

std::set<int> open_descriptors() {
    std::set<int> fds;
    for (int fd = 0; fd < 1024; ++fd)
        if (fcntl(fd, F_GETFD) >= 0) fds.insert(fd);
    return fds;
}

sigset_t blocked_here() {
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    return mask;
}

void previous_handler(int) {}

} // namespace

BOOST_AUTO_TEST_CASE(each_control_signal_comes_out_of_the_pipe_in_order_and_none_is_blocked) {
    ControlSignalPipe signals;
    const std::vector<int> sent{SIGHUP, SIGTSTP, SIGTTIN, SIGINT, SIGTERM};
    for (const int signal : sent) BOOST_TEST_REQUIRE(raise(signal) == 0);  // the process lives: handled, not default
    for (const int signal : sent) {
        const auto received = signals.next(1s);
        BOOST_TEST_REQUIRE(received.has_value());
        BOOST_TEST(*received == signal);
    }
    BOOST_TEST(!signals.next(10ms).has_value());

    const auto mask = blocked_here();
    for (const int signal : sent) BOOST_TEST(sigismember(&mask, signal) == 0);
}

BOOST_AUTO_TEST_CASE(a_full_pipe_drops_signals_instead_of_blocking_and_errno_survives_the_handler) {
    ControlSignalPipe signals;
    // Far more than a pipe holds (64 KiB): the handler's write fails with EAGAIN from some point on.
    for (int i = 0; i < 70'000; ++i) {
        errno = EDOM;
        raise(SIGTTIN);
        BOOST_TEST_REQUIRE(errno == EDOM);
    }
    int drained = 0;
    while (signals.next(0ms)) ++drained;
    BOOST_TEST(drained > 0);
    BOOST_TEST(drained < 70'000);
}

BOOST_AUTO_TEST_CASE(the_pipe_is_close_on_exec_and_non_blocking) {
    const auto before = open_descriptors();
    ControlSignalPipe signals;
    int created = 0;
    for (const int fd : open_descriptors()) {
        if (before.count(fd)) continue;
        ++created;
        BOOST_TEST((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "descriptor " << fd);
        BOOST_TEST((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, "descriptor " << fd);
    }
    BOOST_TEST(created == 2);
}

BOOST_AUTO_TEST_CASE(the_previous_dispositions_come_back_and_only_one_pipe_exists_at_a_time) {
    std::signal(SIGTTIN, previous_handler);
    {
        ControlSignalPipe signals;
        BOOST_CHECK_THROW(ControlSignalPipe second, std::logic_error);
        struct sigaction during {};
        sigaction(SIGTTIN, nullptr, &during);
        BOOST_TEST((during.sa_handler != previous_handler && during.sa_handler != SIG_DFL));
        BOOST_TEST((during.sa_flags & SA_RESTART) != 0);
    }
    struct sigaction after {};
    sigaction(SIGTTIN, nullptr, &after);
    BOOST_TEST(after.sa_handler == previous_handler);
    sigaction(SIGHUP, nullptr, &after);
    BOOST_TEST(after.sa_handler == SIG_DFL);
    std::signal(SIGTTIN, SIG_DFL);
}
