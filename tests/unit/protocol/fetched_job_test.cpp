// check_fetched_job: each way a fetched payload can be malformed is named,
// with the jid whenever it can be read; a well-formed job passes whole.
#include <boost/test/unit_test.hpp>

#include "protocol/fetched_job.hpp"

using faktory_host::protocol::check_fetched_job;
using faktory_host::protocol::scan_top_level_string;

namespace {
constexpr std::uint64_t limit = 1024 * 1024;
auto check(const std::string& payload) { return check_fetched_job(payload, payload.size(), limit); }
} // namespace

BOOST_AUTO_TEST_SUITE(fetched_job)

BOOST_AUTO_TEST_CASE(a_well_formed_job_passes_with_every_field) {
    const auto fetched = check(R"({"jid":"abc12345","jobtype":"T","args":[1],"queue":"q","retry":0,"custom":{"k":1},"x":2})");
    BOOST_TEST_REQUIRE(fetched.well_formed());
    BOOST_TEST(fetched.jid == "abc12345");
    BOOST_TEST(fetched.problem.empty());
    BOOST_TEST(fetched.job->queue() == "q");
    BOOST_TEST(fetched.job->to_json().find("\"x\":2") != std::string::npos);  // unknown fields survive
}

BOOST_AUTO_TEST_CASE(a_payload_that_is_not_an_object_has_no_jid) {
    const auto array = check("[1,2]");
    BOOST_TEST(!array.well_formed());
    BOOST_TEST(array.jid.empty());
    BOOST_TEST(array.problem == "the job is an array, not a JSON object");
    // Poco's parser refuses bare scalars outright: still refused, still without a jid.
    for (const std::string payload : {"\"text\"", "42"}) {
        const auto fetched = check(payload);
        BOOST_TEST(!fetched.well_formed());
        BOOST_TEST(fetched.jid.empty());
        BOOST_TEST(!fetched.problem.empty());
    }
}

BOOST_AUTO_TEST_CASE(missing_or_mistyped_fields_are_each_named_and_the_jid_kept) {
    auto fetched = check(R"({"jid":"j-1","args":[]})");
    BOOST_TEST(fetched.jid == "j-1");
    BOOST_TEST(fetched.problem == R"(the job has no "jobtype")");

    fetched = check(R"({"jid":"j-2","jobtype":"T","args":{"a":1}})");
    BOOST_TEST(fetched.jid == "j-2");
    BOOST_TEST(fetched.problem == R"(the job field "args" is an object, expected an array)");

    fetched = check(R"({"jid":"j-3","jobtype":"T"})");
    BOOST_TEST(fetched.problem == R"(the job has no "args")");

    fetched = check(R"({"jid":"j-4","jobtype":"T","args":[],"retry":"many","queue":7,"custom":[]})");
    BOOST_TEST(!fetched.well_formed());
    BOOST_TEST(fetched.problem.find(R"(field "retry" is a string, expected an integer)") != std::string::npos,
               fetched.problem);
    BOOST_TEST(fetched.problem.find(R"(field "queue" is an integer, expected a string)") != std::string::npos,
               fetched.problem);
    BOOST_TEST(fetched.problem.find(R"(field "custom" is an array, expected an object)") != std::string::npos,
               fetched.problem);

    fetched = check(R"({"jid":"j-5","jobtype":"T","args":[],"failure":{"retry_count":"x"}})");
    BOOST_TEST(fetched.problem.find(R"(field "failure."retry_count")") == std::string::npos);
    BOOST_TEST(fetched.problem.find(R"(failure."retry_count" is a string)") != std::string::npos, fetched.problem);
}

BOOST_AUTO_TEST_CASE(a_jid_that_is_not_a_string_cannot_be_read) {
    const auto fetched = check(R"({"jid":12345678,"jobtype":"T","args":[]})");
    BOOST_TEST(fetched.jid.empty());
    BOOST_TEST(fetched.problem.find(R"(field "jid" is an integer)") != std::string::npos, fetched.problem);
    BOOST_TEST(check(R"({"jid":"","jobtype":"T","args":[]})").jid.empty());
}

BOOST_AUTO_TEST_CASE(invalid_json_still_yields_a_jid_written_before_the_damage) {
    const auto fetched = check(R"({"jid":"early-1","jobtype":"T","args":[1,})");
    BOOST_TEST(!fetched.well_formed());
    BOOST_TEST(fetched.jid == "early-1");
    BOOST_TEST(fetched.problem.find("not valid JSON") != std::string::npos, fetched.problem);
    BOOST_TEST(check(R"({"args":[1,}, "jid":"late")").jid.empty());
}

BOOST_AUTO_TEST_CASE(an_oversized_job_is_refused_with_its_jid_from_the_kept_head) {
    const std::string head = R"({"jid":"big-1","queue":"default","jobtype":"T","args":["xxxxxxxx)";
    const auto fetched = check_fetched_job(head, 5000000, 1000000);
    BOOST_TEST(!fetched.well_formed());
    BOOST_TEST(fetched.jid == "big-1");
    BOOST_TEST(fetched.problem.find("5000000 bytes") != std::string::npos, fetched.problem);
    BOOST_TEST(fetched.problem.find("1000000") != std::string::npos, fetched.problem);
}

BOOST_AUTO_TEST_CASE(the_scanner_skips_nested_values_and_decodes_escapes) {
    BOOST_TEST(scan_top_level_string(R"({"a":{"jid":"inner"},"b":[1,"x\"y"],"jid":"o\u0041k"})", "jid").value() == "oAk");
    BOOST_TEST(!scan_top_level_string(R"({"a":1})", "jid").has_value());
    BOOST_TEST(!scan_top_level_string(R"({"a":"cut sho)", "jid").has_value());
    BOOST_TEST(!scan_top_level_string(R"({"jid":5})", "jid").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(only_a_malformed_job_carries_an_escaped_excerpt_for_logs) {
    const auto good = check_fetched_job(R"({"jid":"j1","jobtype":"Noop","args":[]})", 40, 1024);
    BOOST_TEST(good.well_formed());
    BOOST_TEST(good.excerpt.empty());  // never logged, so never escaped
    const auto bad = check_fetched_job("{\"jid\":\"j2\",\"args\":\"x\n\"}", 23, 1024);
    BOOST_TEST(!bad.well_formed());
    BOOST_TEST(bad.excerpt.find("\\n") != std::string::npos);
}
