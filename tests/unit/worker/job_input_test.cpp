// job_input_of: what a handler sees of a job. The JSON texts (args, custom,
// the whole job) are made on demand, and are byte for byte what the host
// handed plugins when it made them up front: the Job's own condensed fields,
// same number formatting, same key order.
#include <boost/test/unit_test.hpp>

#include "protocol/json_text.hpp"
#include "worker/job_input.hpp"

using faktory_host::protocol::Job;
namespace worker = faktory_host::worker;

namespace {

const std::string fetched = R"({"jid":"j-1","jobtype":"Resize","queue":"images","args":[1.5,1e3,-0.0,12345678901234,"x\u00e9\n",)"
                            R"({"b":1,"a":[true,null]}],"custom":{"zone":"eu","alpha":{"y":2,"x":1}},)"
                            R"("failure":{"retry_count":2,"message":"m"},"retry":5})";

} // namespace

BOOST_AUTO_TEST_SUITE(job_input)

BOOST_AUTO_TEST_CASE(plain_fields_are_copied_from_the_job) {
    const auto job = Job::from_json(fetched);
    const auto input = worker::job_input_of(job);
    BOOST_TEST(input.jid == "j-1");
    BOOST_TEST(input.jobtype == "Resize");
    BOOST_TEST(input.queue == "images");
    BOOST_TEST(input.retry_count == 2);
}

BOOST_AUTO_TEST_CASE(texts_are_the_jobs_condensed_fields_byte_for_byte) {
    const auto job = Job::from_json(fetched);
    const auto input = worker::job_input_of(job);
    BOOST_TEST_REQUIRE(static_cast<bool>(input.args_text));
    BOOST_TEST_REQUIRE(static_cast<bool>(input.custom_text));
    BOOST_TEST_REQUIRE(static_cast<bool>(input.job_json));
    BOOST_TEST(input.args_text() == job.args_json());
    BOOST_TEST(input.custom_text() == faktory_host::protocol::json::condense(job.custom()));
    BOOST_TEST(input.job_json() == job.to_json());
    // Spelled out, so a change of formatting or order shows here too.
    BOOST_TEST(input.custom_text() == R"({"alpha":{"x":1,"y":2},"zone":"eu"})");
    BOOST_TEST(input.args_text() == R"([1.5,1000,0,12345678901234,"xé\n",{"a":[true,null],"b":1}])");
}

BOOST_AUTO_TEST_CASE(absent_args_and_custom_read_as_empty_array_and_object) {
    const auto job = Job::from_json(R"({"jid":"j-2","jobtype":"T"})");
    const auto input = worker::job_input_of(job);
    BOOST_TEST(input.args_text() == "[]");
    BOOST_TEST(input.custom_text() == "{}");
    BOOST_TEST(input.queue == "default");
    BOOST_TEST(input.retry_count == 0);
}

BOOST_AUTO_TEST_CASE(fields_that_are_not_plain_strings_read_as_the_jobs_accessors_read_them) {
    const auto job = Job::from_json(R"({"jid":123,"jobtype":"T","queue":"","failure":{"retry_count":4}})");
    const auto input = worker::job_input_of(job);
    BOOST_TEST(input.jid == job.jid());
    BOOST_TEST(input.jid == "123");
    BOOST_TEST(input.queue == "default");  // empty: the default queue, as Job::queue() says
    BOOST_TEST(input.retry_count == 4);
    const auto null_queue = Job::from_json(R"({"jid":"j","jobtype":"T","queue":null})");
    BOOST_TEST(worker::job_input_of(null_queue).queue == "default");
}

BOOST_AUTO_TEST_SUITE_END()
