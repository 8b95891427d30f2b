// Lifecycle: the legal transitions happen, the illegal ones are refused, and quiet is one-way.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "worker/lifecycle.hpp"

using faktory_host::protocol::WorkerState;
using faktory_host::worker::Lifecycle;
using faktory_host::worker::LifecycleState;

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(starts_in_starting_and_only_start_leads_to_running) {
    Lifecycle l;
    BOOST_TEST(l.state() == LifecycleState::starting);
    BOOST_TEST(!l.may_fetch());
    BOOST_TEST(!l.begin_drain());
    BOOST_TEST(!l.begin_reload());
    BOOST_TEST(!l.finish_reload());
    BOOST_TEST(!l.stop());
    BOOST_TEST(l.start());
    BOOST_TEST(l.state() == LifecycleState::running);
    BOOST_TEST(l.may_fetch());
    BOOST_TEST(!l.start());
}

BOOST_AUTO_TEST_CASE(reload_goes_running_draining_reloading_running) {
    Lifecycle l;
    l.start();
    BOOST_TEST(!l.begin_reload());  // must drain first
    BOOST_TEST(l.begin_drain());
    BOOST_TEST(l.state() == LifecycleState::draining);
    BOOST_TEST(!l.may_fetch());
    BOOST_TEST(!l.begin_drain());  // at most one reload at a time
    BOOST_TEST(l.begin_reload());
    BOOST_TEST(l.state() == LifecycleState::reloading);
    BOOST_TEST(l.finish_reload());
    BOOST_TEST(l.state() == LifecycleState::running);
    BOOST_TEST(l.may_fetch());
}

BOOST_AUTO_TEST_CASE(quiet_is_never_left_except_by_terminate) {
    Lifecycle l;
    l.start();
    BOOST_TEST(l.quiet());
    BOOST_TEST(l.state() == LifecycleState::quiet);
    BOOST_TEST(!l.may_fetch());
    BOOST_TEST(!l.start());
    BOOST_TEST(!l.begin_drain());
    BOOST_TEST(!l.begin_reload());
    BOOST_TEST(!l.finish_reload());
    BOOST_TEST(l.state() == LifecycleState::quiet);
    BOOST_TEST(l.terminate());
    BOOST_TEST(l.state() == LifecycleState::terminating);
}

BOOST_AUTO_TEST_CASE(quiet_during_drain_abandons_the_reload) {
    Lifecycle l;
    l.start();
    l.begin_drain();
    BOOST_TEST(l.quiet());
    BOOST_TEST(l.state() == LifecycleState::quiet);
    BOOST_TEST(!l.begin_reload());
}

BOOST_AUTO_TEST_CASE(quiet_during_reload_takes_effect_when_the_reload_finishes) {
    Lifecycle l;
    l.start();
    l.begin_drain();
    l.begin_reload();
    BOOST_TEST(l.quiet());
    BOOST_TEST(l.state() == LifecycleState::reloading);
    BOOST_TEST(l.finish_reload());
    BOOST_TEST(l.state() == LifecycleState::quiet);
}

BOOST_AUTO_TEST_CASE(terminate_is_legal_from_every_state_but_terminating_and_stopped) {
    for (int steps = 0; steps < 5; ++steps) {
        Lifecycle l;
        if (steps >= 1) l.start();
        if (steps >= 2) l.begin_drain();
        if (steps >= 3) l.begin_reload();
        if (steps == 4) l.finish_reload();
        BOOST_TEST(l.terminate());
        BOOST_TEST(l.state() == LifecycleState::terminating);
        BOOST_TEST(!l.terminate());
        BOOST_TEST(!l.quiet());
        BOOST_TEST(!l.begin_drain());
        BOOST_TEST(l.stop());
        BOOST_TEST(l.state() == LifecycleState::stopped);
        BOOST_TEST(!l.terminate());
    }
}

BOOST_AUTO_TEST_CASE(beats_report_quiet_while_not_fetching_and_terminate_when_stopping) {
    Lifecycle l;
    l.start();
    BOOST_TEST(!l.reported_state().has_value());
    l.begin_drain();
    BOOST_TEST((l.reported_state() == WorkerState::quiet));
    l.quiet();
    BOOST_TEST((l.reported_state() == WorkerState::quiet));
    l.terminate();
    BOOST_TEST((l.reported_state() == WorkerState::terminate));
}

BOOST_AUTO_TEST_CASE(wait_for_change_wakes_when_another_thread_moves_the_state) {
    Lifecycle l;
    l.start();
    std::thread mover([&] { l.terminate(); });
    auto seen = l.wait_for_change(LifecycleState::running, std::chrono::seconds(10));
    mover.join();
    BOOST_TEST(seen == LifecycleState::terminating);
}

BOOST_AUTO_TEST_CASE(names_every_state) {
    BOOST_TEST(std::string(to_string(LifecycleState::draining)) == "draining");
    BOOST_TEST(std::string(to_string(LifecycleState::stopped)) == "stopped");
}

BOOST_AUTO_TEST_SUITE_END()
