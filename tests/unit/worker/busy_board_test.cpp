// BusyBoard: when the engine counts as idle, which jobs time out, and that a
// job FAILed by the shutdown is recognised when its handler returns late.
#include <boost/test/unit_test.hpp>

#include "worker/busy_board.hpp"

using namespace std::chrono_literals;
using faktory_host::worker::BusyBoard;
using faktory_host::worker::JobTicket;

namespace {
JobTicket ticket(const std::string& jid, const std::string& jobtype,
                 std::optional<std::chrono::milliseconds> limit = std::nullopt) {
    JobTicket t;
    t.jid = jid;
    t.jobtype = jobtype;
    t.payload = R"({"jid":")" + jid + R"(","jobtype":")" + jobtype + R"(","args":[]})";
    t.limit = limit;
    return t;
}
} // namespace

BOOST_AUTO_TEST_SUITE(busy_board)

BOOST_AUTO_TEST_CASE(is_idle_only_when_nobody_fetches_and_no_job_runs) {
    BusyBoard board;
    BOOST_TEST(board.idle());
    board.fetch_started();
    BOOST_TEST(!board.idle());
    auto job = board.job_started("default", 0, ticket("jid-1", "Echo"));  // the fetch becomes the job
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
    auto limited = board.job_started("default", 0, ticket("jid-1", "Slow", 100ms));
    board.fetch_started();
    auto unlimited = board.job_started("default", 1, ticket("jid-2", "Other"));
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
    auto job = board.job_started("images", 3, ticket("jid-9", "Resize"));
    auto claimed = board.claim_for_shutdown();
    BOOST_TEST(claimed.size() == 1u);
    BOOST_TEST(job->stop.stop_requested());
    auto end = board.job_ended(job);
    BOOST_TEST(end.failed_by_shutdown);
    BOOST_TEST(board.idle());
}

BOOST_AUTO_TEST_CASE(a_job_past_80_percent_of_its_reservation_is_reported_once) {
    BusyBoard board;
    board.fetch_started();
    auto t = ticket("jid-1", "Slow");
    t.reservation = 100s;
    auto job = board.job_started("default", 0, t);
    const auto start = job->started;
    BOOST_TEST(board.near_reservation_end(start + 79s).empty());
    auto near = board.near_reservation_end(start + 80s);
    BOOST_TEST(near.size() == 1u);
    BOOST_TEST(near.front()->jid == "jid-1");
    BOOST_TEST(!job->stop.stop_requested());  // a warning only
    BOOST_TEST(board.near_reservation_end(start + 90s).empty());
}

BOOST_AUTO_TEST_CASE(a_job_claimed_by_the_shutdown_carries_its_payload_and_retry_policy) {
    BusyBoard board;
    board.fetch_started();
    auto t = ticket("jid-7", "Once");
    t.retry_left = false;
    board.job_started("default", 0, t);
    auto claimed = board.claim_for_shutdown();
    BOOST_TEST_REQUIRE(claimed.size() == 1u);
    BOOST_TEST(claimed.front()->payload == t.payload);
    BOOST_TEST(!claimed.front()->retry_left);
}

BOOST_AUTO_TEST_CASE(describe_names_pool_thread_jid_jobtype_and_elapsed_time) {
    BusyBoard board;
    BOOST_TEST(board.describe(std::chrono::steady_clock::now()).empty());
    board.fetch_started();
    auto job = board.job_started("images", 3, ticket("jid-9", "Resize"));
    const auto line = board.describe(job->started + 1500ms);
    BOOST_TEST(line == "pool=images thread=3 jid=jid-9 jobtype=Resize running_ms=1500\n");
}

BOOST_AUTO_TEST_CASE(the_limit_is_described_from_its_rule_only_when_asked) {
    BusyBoard board;
    JobTicket by_timeout = ticket("jid-t", "Slow", 5000ms);
    by_timeout.limit_rule = faktory_host::worker::time_limit(5000ms, 1800s, 15s);
    by_timeout.margin = 15s;
    board.fetch_started();
    auto timed = board.job_started("default", 0, by_timeout);
    BOOST_TEST(timed->describe_limit() == "worker.job_timeout (5000 ms)");

    JobTicket by_reservation = ticket("jid-r", "Slow", 1785s);
    by_reservation.reservation = 1800s;
    by_reservation.limit_rule = faktory_host::worker::time_limit(std::nullopt, 1800s, 15s);
    by_reservation.margin = 15s;
    board.fetch_started();
    auto reserved = board.job_started("default", 1, by_reservation);
    BOOST_TEST(reserved->describe_limit() ==
               "its reservation (reserve_for 1800 s) less the 15000 ms safety margin (1785000 ms)");
}

BOOST_AUTO_TEST_SUITE_END()
