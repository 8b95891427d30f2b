// Lifecycle: the legal transitions happen, the illegal ones are refused, and quiet is one-way.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "worker/lifecycle.hpp"

using faktory_host::protocol::WorkerState;
using faktory_host::worker::FetchPermit;
using faktory_host::worker::Lifecycle;
using faktory_host::worker::LifecycleState;

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(starts_in_starting_and_only_start_leads_to_running) {
    Lifecycle l;
    BOOST_TEST(l.state() == LifecycleState::starting);
    BOOST_TEST(!l.may_fetch());
    BOOST_TEST(!l.begin_reload());
    BOOST_TEST(!l.finish_reload());
    BOOST_TEST(!l.stop());
    BOOST_TEST(l.start());
    BOOST_TEST(l.state() == LifecycleState::running);
    BOOST_TEST(l.may_fetch());
    BOOST_TEST(!l.start());
}

BOOST_AUTO_TEST_CASE(reload_goes_running_reloading_running) {
    Lifecycle l;
    l.start();
    BOOST_TEST(l.begin_reload());
    BOOST_TEST(l.state() == LifecycleState::reloading);
    BOOST_TEST(!l.may_fetch());
    BOOST_TEST(!l.begin_reload());  // at most one reload at a time
    BOOST_TEST(l.finish_reload());
    BOOST_TEST(l.state() == LifecycleState::running);
    BOOST_TEST(l.may_fetch());
}

BOOST_AUTO_TEST_CASE(a_reload_request_is_accepted_only_while_running_and_begin_reload_takes_it) {
    Lifecycle l;
    BOOST_TEST(l.request_reload() == LifecycleState::starting);
    BOOST_TEST(!l.reload_requested());
    l.start();
    BOOST_TEST(!l.reload_requested());
    BOOST_TEST(l.request_reload() == LifecycleState::running);
    BOOST_TEST(l.reload_requested());
    BOOST_TEST(l.begin_reload());
    BOOST_TEST(!l.reload_requested());
    BOOST_TEST(l.request_reload() == LifecycleState::reloading);  // refused: one is under way
    l.finish_reload();
    BOOST_TEST(!l.reload_requested());
    l.quiet();
    BOOST_TEST(l.request_reload() == LifecycleState::quiet);
    BOOST_TEST(!l.reload_requested());
    l.terminate();
    BOOST_TEST(l.request_reload() == LifecycleState::terminating);
}

BOOST_AUTO_TEST_CASE(a_fetch_is_granted_only_while_running_and_only_under_the_current_epoch) {
    Lifecycle l;
    BOOST_TEST((l.begin_fetch(1) == FetchPermit::held));
    l.start(1);
    BOOST_TEST((l.begin_fetch(1) == FetchPermit::granted));
    BOOST_TEST(l.fetches_in_flight() == 1);
    BOOST_TEST(l.begin_reload());
    // Once the reload began, nothing more starts under the old wid...
    BOOST_TEST((l.begin_fetch(1) == FetchPermit::held));
    BOOST_TEST(l.fetches_in_flight() == 1);  // ...and the one already out is counted
    l.end_fetch();
    BOOST_TEST(l.finish_reload(2));
    // A connection still under the old identity must move before it fetches.
    BOOST_TEST((l.begin_fetch(1) == FetchPermit::outdated));
    BOOST_TEST((l.begin_fetch(2) == FetchPermit::granted));
    l.end_fetch();
    BOOST_TEST(l.fetches_in_flight() == 0);
    l.quiet();
    BOOST_TEST((l.begin_fetch(2) == FetchPermit::held));
}

BOOST_AUTO_TEST_CASE(a_reload_racing_fetch_permits_never_lets_one_through_after_it_began) {
    // Many threads ask for permits while the reload begins: every permit
    // granted was granted before begin_reload returned.
    Lifecycle l;
    l.start(1);
    std::atomic<bool> reload_begun{false};
    std::atomic<int> granted_after{0};
    std::vector<std::thread> fetchers;
    for (int t = 0; t < 4; ++t) {
        fetchers.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                const bool begun_before = reload_begun.load();
                if (l.begin_fetch(1) == FetchPermit::granted) {
                    if (begun_before) ++granted_after;
                    l.end_fetch();
                }
            }
        });
    }
    std::this_thread::yield();
    BOOST_TEST(l.begin_reload());
    reload_begun = true;
    for (auto& f : fetchers) f.join();
    BOOST_TEST(granted_after.load() == 0);
    BOOST_TEST(l.fetches_in_flight() == 0);
}

BOOST_AUTO_TEST_CASE(quiet_is_never_left_except_by_terminate) {
    Lifecycle l;
    l.start();
    BOOST_TEST(l.quiet());
    BOOST_TEST(l.state() == LifecycleState::quiet);
    BOOST_TEST(!l.may_fetch());
    BOOST_TEST(!l.start());
    BOOST_TEST(!l.begin_reload());
    BOOST_TEST(!l.finish_reload());
    BOOST_TEST(l.state() == LifecycleState::quiet);
    BOOST_TEST(l.terminate());
    BOOST_TEST(l.state() == LifecycleState::terminating);
}

BOOST_AUTO_TEST_CASE(quiet_during_reload_takes_effect_when_the_reload_finishes) {
    Lifecycle l;
    l.start();
    l.begin_reload();
    BOOST_TEST(l.quiet());
    BOOST_TEST(l.state() == LifecycleState::reloading);
    BOOST_TEST(l.finish_reload());
    BOOST_TEST(l.state() == LifecycleState::quiet);
}

BOOST_AUTO_TEST_CASE(terminate_is_legal_from_every_state_but_terminating_and_stopped) {
    for (int steps = 0; steps < 4; ++steps) {
        Lifecycle l;
        if (steps >= 1) l.start();
        if (steps >= 2) l.begin_reload();
        if (steps == 3) l.finish_reload();
        BOOST_TEST(!l.terminate_requested().stop_requested());
        BOOST_TEST(l.terminate());
        BOOST_TEST(l.terminate_requested().stop_requested());
        BOOST_TEST(l.state() == LifecycleState::terminating);
        BOOST_TEST(!l.terminate());
        BOOST_TEST(!l.quiet());
        BOOST_TEST(!l.begin_reload());
        BOOST_TEST(l.stop());
        BOOST_TEST(l.state() == LifecycleState::stopped);
        BOOST_TEST(!l.terminate());
    }
}

BOOST_AUTO_TEST_CASE(beats_report_quiet_while_not_fetching_and_terminate_when_stopping) {
    Lifecycle l;
    l.start();
    BOOST_TEST(!l.reported_state().has_value());
    l.begin_reload();
    BOOST_TEST((l.reported_state() == WorkerState::quiet));
    l.finish_reload();
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
    BOOST_TEST(std::string(to_string(LifecycleState::reloading)) == "reloading");
    BOOST_TEST(std::string(to_string(LifecycleState::stopped)) == "stopped");
}

BOOST_AUTO_TEST_SUITE_END()
