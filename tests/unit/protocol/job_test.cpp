// Job: defaults, typed accessors, and JSON round trips that keep unknown
// fields and numbers exactly.
#include <boost/test/unit_test.hpp>

#include <set>

#include "protocol/errors.hpp"
#include "protocol/job.hpp"

using namespace faktory_host::protocol;

BOOST_AUTO_TEST_CASE(new_job_has_fresh_jid_jobtype_empty_args_and_default_queue) {
    const Job job("SendEmail");
    BOOST_TEST(job.jobtype() == "SendEmail");
    BOOST_TEST(job.queue() == "default");
    BOOST_TEST(job.args()->size() == 0u);
    BOOST_TEST(job.jid().size() >= 24u);  // 96 bits as hex
    BOOST_TEST(job.retry_count() == 0);
    BOOST_TEST(!job.failure().has_value());
}

BOOST_AUTO_TEST_CASE(new_jid_is_hex_and_does_not_repeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto jid = new_jid();
        BOOST_TEST(jid.size() == 32u);
        BOOST_TEST(jid.find_first_not_of("0123456789abcdef") == std::string::npos);
        seen.insert(jid);
    }
    BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(round_trip_keeps_unknown_fields_and_exact_numbers) {
    const std::string json =
        R"({"args":[1.5,9007199254740993,-42,1e-7,"x",{"deep":[true,null]}],"jid":"abcdefgh12",)"
        R"("jobtype":"T","unknown_top":{"n":12345678901234},"zz":0.1})";
    const auto once = Job::from_json(json);
    const auto twice = Job::from_json(once.to_json());
    BOOST_TEST(twice.to_json() == once.to_json());
    const auto args = twice.args();
    BOOST_TEST(args->getElement<double>(0) == 1.5);
    BOOST_TEST(args->getElement<std::int64_t>(1) == 9007199254740993LL);
    BOOST_TEST(args->getElement<int>(2) == -42);
    BOOST_TEST(args->getElement<double>(3) == 1e-7);
    BOOST_TEST(twice.fields()->getObject("unknown_top")->getValue<std::int64_t>("n") == 12345678901234LL);
    BOOST_TEST(twice.fields()->getValue<double>("zz") == 0.1);
    BOOST_TEST(twice.to_json().find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reads_fetched_fields_and_failure_record) {
    const auto job = Job::from_json(
        R"({"jid":"j123456789","jobtype":"T","args":[],"queue":"critical","reserve_for":600,)"
        R"("at":"2030-01-01T00:00:00Z","retry":-1,"backtrace":5,"custom":{"k":"v"},)"
        R"("created_at":"2024-01-01T00:00:00Z","enqueued_at":"2024-01-01T00:00:01Z",)"
        R"("failure":{"retry_count":3,"remaining":22,"failed_at":"f","next_at":"n","message":"boom","errtype":"E",)"
        R"("backtrace":["a","b"]}})");
    BOOST_TEST(job.queue() == "critical");
    BOOST_TEST(job.reserve_for().value() == 600);
    BOOST_TEST(job.at().value() == "2030-01-01T00:00:00Z");
    BOOST_TEST(job.retry().value() == -1);
    BOOST_TEST(job.backtrace().value() == 5);
    BOOST_TEST(job.custom()->getValue<std::string>("k") == "v");
    BOOST_TEST(job.created_at().value() == "2024-01-01T00:00:00Z");
    BOOST_TEST(job.enqueued_at().value() == "2024-01-01T00:00:01Z");
    const auto failure = job.failure().value();
    BOOST_TEST(failure.retry_count == 3);
    BOOST_TEST(failure.remaining == 22);
    BOOST_TEST(failure.message == "boom");
    BOOST_TEST(failure.errtype == "E");
    BOOST_TEST(failure.backtrace.size() == 2u);
    BOOST_TEST(job.retry_count() == 3);
}

BOOST_AUTO_TEST_CASE(absent_optional_fields_are_empty) {
    const auto job = Job::from_json(R"({"jid":"j123456789","jobtype":"T","args":[]})");
    BOOST_TEST(job.queue() == "default");
    BOOST_TEST(!job.reserve_for().has_value());
    BOOST_TEST(!job.at().has_value());
    BOOST_TEST(!job.retry().has_value());
    BOOST_TEST(job.custom().isNull());
}

BOOST_AUTO_TEST_CASE(setters_write_fields_the_server_reads) {
    Job job("T");
    Poco::JSON::Object::Ptr custom = new Poco::JSON::Object;
    custom->set("tenant", 7);
    job.set_jid("fixedjid123").set_queue("low").set_args_json(R"([1,"two",{"three":3}])").set_reserve_for(120)
        .set_at("2031-02-03T04:05:06Z").set_retry(0).set_backtrace(10).set_custom(custom);
    const auto copy = Job::from_json(job.to_json());
    BOOST_TEST(copy.jid() == "fixedjid123");
    BOOST_TEST(copy.queue() == "low");
    BOOST_TEST(copy.args_json() == R"([1,"two",{"three":3}])");
    BOOST_TEST(copy.reserve_for().value() == 120);
    BOOST_TEST(copy.retry().value() == 0);
    BOOST_TEST(copy.backtrace().value() == 10);
    BOOST_TEST(copy.custom()->getValue<int>("tenant") == 7);
}

BOOST_AUTO_TEST_CASE(rejects_json_that_is_not_an_object_or_args_that_are_not_an_array) {
    BOOST_CHECK_THROW(Job::from_json("[1,2]"), ProtocolError);
    BOOST_CHECK_THROW(Job::from_json("{\"jid\":"), ProtocolError);
    BOOST_CHECK_THROW(Job::from_json("garbage"), ProtocolError);
    Job job("T");
    BOOST_CHECK_THROW(job.set_args_json("{\"a\":1}"), ProtocolError);
    BOOST_CHECK_THROW(job.set_args_json("[1,"), ProtocolError);
}
