// BusyBoard: when the engine counts as idle, which jobs time out, and that a
// job FAILed by the shutdown is recognised when its handler returns late.
#include <boost/test/unit_test.hpp>

#include "worker/busy_board.hpp"

using namespace std::chrono_literals;
using faktory_host::worker::BusyBoard;

BOOST_AUTO_TEST_SUITE(busy_board)

BOOST_AUTO_TEST_CASE(is_idle_only_when_nobody_fetches_and_no_job_runs) {
    BusyBoard board;
    BOOST_TEST(board.idle());
    board.fetch_started();
    BOOST_TEST(!board.idle());
    auto job = board.job_started("default", 0, "jid-1", "Echo", std::nullopt);  // the fetch becomes the job
    BOOST_TEST(!board.idle());
    BOOST_TEST(board.running() == 1u);
    board.job_ended(job);
    BOOST_TEST(board.idle());
    board.fetch_started();
    board.fetch_ended();
    BOOST_TEST(board.idle());
}

BOOST_AUTO_TEST_CASE(a_job_past_its_limit_times_out_once_and_is_asked_to_stop) {
    BusyBoard board;
    board.fetch_started();
    auto limited = board.job_started("default", 0, "jid-1", "Slow", 100ms);
    board.fetch_started();
    auto unlimited = board.job_started("default", 1, "jid-2", "Other", std::nullopt);
    const auto start = limited->started;
    BOOST_TEST(board.expire_overdue(start + 50ms).empty());
    auto expired = board.expire_overdue(start + 150ms);
    BOOST_TEST(expired.size() == 1u);
    BOOST_TEST(expired.front()->jid == "jid-1");
    BOOST_TEST(limited->stop.stop_requested());
    BOOST_TEST(!unlimited->stop.stop_requested());
    BOOST_TEST(board.expire_overdue(start + 1h).empty());  // fires once
    auto end = board.job_ended(limited);
    BOOST_TEST(end.timed_out);
    BOOST_TEST(!end.failed_by_shutdown);
}

BOOST_AUTO_TEST_CASE(a_job_claimed_by_the_shutdown_reports_it_when_it_returns) {
    BusyBoard board;
    board.fetch_started();
    auto job = board.job_started("images", 3, "jid-9", "Resize", std::nullopt);
    auto claimed = board.claim_for_shutdown();
    BOOST_TEST(claimed.size() == 1u);
    BOOST_TEST(job->stop.stop_requested());
    auto end = board.job_ended(job);
    BOOST_TEST(end.failed_by_shutdown);
    BOOST_TEST(board.idle());
}

BOOST_AUTO_TEST_CASE(describe_names_pool_thread_jid_jobtype_and_elapsed_time) {
    BusyBoard board;
    BOOST_TEST(board.describe(std::chrono::steady_clock::now()).empty());
    board.fetch_started();
    auto job = board.job_started("images", 3, "jid-9", "Resize", std::nullopt);
    const auto line = board.describe(job->started + 1500ms);
    BOOST_TEST(line == "pool=images thread=3 jid=jid-9 jobtype=Resize running_ms=1500\n");
}

BOOST_AUTO_TEST_SUITE_END()
