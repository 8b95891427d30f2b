// job_policy: a job's reservation as Faktory applies it, the effective time
// limit (job_timeout or reservation less the margin), and whether a FAIL now
// would retry the job or discard/bury it.
#include <boost/test/unit_test.hpp>

#include "worker/job_policy.hpp"

using namespace std::chrono_literals;
using faktory_host::protocol::Job;
namespace worker = faktory_host::worker;

namespace {
Job job_from(const std::string& json) { return Job::from_json(json); }
} // namespace

BOOST_AUTO_TEST_SUITE(job_policy)

BOOST_AUTO_TEST_CASE(reservation_defaults_to_1800_s_and_is_clamped_like_faktory) {
    BOOST_TEST(worker::reservation_of(job_from(R"({"jid":"j","jobtype":"T","args":[]})")).count() == 1800);
    BOOST_TEST(worker::reservation_of(job_from(R"({"jid":"j","jobtype":"T","args":[],"reserve_for":0})")).count() == 1800);
    BOOST_TEST(worker::reservation_of(job_from(R"({"jid":"j","jobtype":"T","args":[],"reserve_for":10})")).count() == 60);
    BOOST_TEST(worker::reservation_of(job_from(R"({"jid":"j","jobtype":"T","args":[],"reserve_for":300})")).count() == 300);
    BOOST_TEST(worker::reservation_of(job_from(R"({"jid":"j","jobtype":"T","args":[],"reserve_for":999999})")).count() == 86400);
}

BOOST_AUTO_TEST_CASE(the_limit_is_the_smaller_of_job_timeout_and_reservation_less_margin) {
    const auto by_reservation = worker::time_limit(std::nullopt, 1800s, 15s);
    BOOST_TEST(by_reservation.after.count() == 1785000);
    BOOST_TEST((by_reservation.source == worker::TimeLimit::Source::reservation));
    BOOST_TEST(by_reservation.describe(1800s, 15s).find("reserve_for 1800 s") != std::string::npos);

    const auto by_timeout = worker::time_limit(60000ms, 1800s, 15s);
    BOOST_TEST(by_timeout.after.count() == 60000);
    BOOST_TEST(by_timeout.describe(1800s, 15s) == "worker.job_timeout (60000 ms)");

    // job_timeout cannot extend a reservation.
    const auto capped = worker::time_limit(std::chrono::milliseconds(3600s), 60s, 15s);
    BOOST_TEST(capped.after.count() == 45000);
    BOOST_TEST((capped.source == worker::TimeLimit::Source::reservation));
}

BOOST_AUTO_TEST_CASE(a_retry_is_left_unless_retry_is_0_or_negative_or_used_up) {
    BOOST_TEST(worker::has_retry_left(job_from(R"({"jid":"j","jobtype":"T","args":[]})")));  // absent = 25
    BOOST_TEST(!worker::has_retry_left(job_from(R"({"jid":"j","jobtype":"T","args":[],"retry":0})")));
    BOOST_TEST(!worker::has_retry_left(job_from(R"({"jid":"j","jobtype":"T","args":[],"retry":-1})")));
    BOOST_TEST(worker::has_retry_left(job_from(R"({"jid":"j","jobtype":"T","args":[],"retry":1})")));
    // retry 2: failed once before (retry_count 0), this FAIL makes the count 1 < 2: retried.
    // Failed twice before (retry_count 1), this FAIL makes it 2: dead set.
    BOOST_TEST(worker::has_retry_left(
        job_from(R"({"jid":"j","jobtype":"T","args":[],"retry":2,"failure":{"retry_count":0}})")));
    BOOST_TEST(!worker::has_retry_left(
        job_from(R"({"jid":"j","jobtype":"T","args":[],"retry":2,"failure":{"retry_count":1}})")));
    BOOST_TEST(!worker::has_retry_left(
        job_from(R"({"jid":"j","jobtype":"T","args":[],"failure":{"retry_count":24}})")));
}

BOOST_AUTO_TEST_SUITE_END()
