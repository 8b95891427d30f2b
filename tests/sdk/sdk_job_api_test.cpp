// The 1.1 job API through the real loader: the whole job (retry, at,
// reserve_for, created_at, enqueued_at, previous failure, JSON), arg<T> for
// every arithmetic type with range checks, optional/vector/map/Value args,
// push with C++ values, typed config, and registration errors with a message.
#include <boost/test/unit_test.hpp>

#include <faktory/json.hpp>

#include "sdk_host.hpp"

using faktory_host::sdk_testing::LoadedSdkPlugin;
using Status = faktory_host::plugins::JobOutcome::Status;

namespace {

struct OneOne : LoadedSdkPlugin {
    OneOne() : LoadedSdkPlugin("one_one") { BOOST_TEST_REQUIRE(load_errors() == ""); }

    // The value the plugin logged for arg<type>(1) = json, or "FAIL errtype: message".
    std::string convert(const std::string& type, const std::string& json) {
        logs.clear();
        const auto outcome = run("Convert", "[\"" + type + "\"," + json + "]");
        if (outcome.status == Status::fail) return "FAIL " + outcome.errtype + ": " + outcome.message;
        return logs.size() == 1 ? logs[0].substr(2) : "no single log line";
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sdk_job_api, OneOne)

BOOST_AUTO_TEST_CASE(whole_job_of_a_retried_scheduled_job) {
    const auto outcome = run_json(R"({"jid":"j7","jobtype":"Whole","args":[],"retry":2,"reserve_for":600,
        "at":"2030-01-02T03:04:05Z","created_at":"2026-11-29T08:00:00Z","enqueued_at":"2026-11-29T08:00:01Z",
        "custom":{"tenant":"acme"},
        "failure":{"retry_count":1,"errtype":"Timeout","message":"took too long","failed_at":"2026-11-29T08:01:00Z"}})");
    BOOST_TEST((outcome.status == Status::ack), outcome.errtype << ": " << outcome.message);
    BOOST_TEST_REQUIRE(logs.size() == 2u);
    // Two earlier failures (retry_count 1), retry 2: a third failure kills it.
    BOOST_TEST(logs[0] ==
               "1|retry=2 at=2030-01-02T03:04:05Z created_at=2026-11-29T08:00:00Z enqueued_at=2026-11-29T08:00:01Z "
               "reserve_for=600 failure=Timeout/took too long/1/2026-11-29T08:01:00Z last_attempt=yes");
    BOOST_TEST(logs[1] == "1|json.jid=j7 custom.tenant=acme");
}

BOOST_AUTO_TEST_CASE(whole_job_of_a_first_run_without_optional_fields) {
    const auto outcome = run_json(R"({"jid":"j8","jobtype":"Whole","custom":{"tenant":"t"}})");
    BOOST_TEST((outcome.status == Status::ack), outcome.errtype << ": " << outcome.message);
    BOOST_TEST_REQUIRE(logs.size() == 2u);
    BOOST_TEST(logs[0] == "1|retry=none at= created_at= enqueued_at= reserve_for=0 failure=none last_attempt=no");
}

BOOST_AUTO_TEST_CASE(last_attempt_follows_faktorys_retry_rule) {
    auto last = [&](const std::string& extra) {
        logs.clear();
        run_json(R"({"jid":"j","jobtype":"Whole","custom":{"tenant":"t"})" + extra + "}");
        return logs.at(0).find("last_attempt=yes") != std::string::npos;
    };
    BOOST_TEST(last(R"(,"retry":0)"));                                 // discarded on failure
    BOOST_TEST(!last(R"(,"retry":1)"));                                // one retry left
    BOOST_TEST(last(R"(,"retry":1,"failure":{"retry_count":0})"));     // that retry is this run
    BOOST_TEST(!last(R"(,"failure":{"retry_count":23})"));             // default 25: 25th failure still retried
    BOOST_TEST(last(R"(,"failure":{"retry_count":24})"));
}

BOOST_AUTO_TEST_CASE(every_integral_type_with_range_checks) {
    BOOST_TEST(convert("int8", "-128") == "-128");
    BOOST_TEST(convert("int8", "128") ==
               "FAIL faktory::ArgumentError: argument 1: 128 is out of range for this 8-bit signed integer (-128..127)");
    BOOST_TEST(convert("uint8", "255") == "255");
    BOOST_TEST(convert("uint8", "-1") ==
               "FAIL faktory::ArgumentError: argument 1: -1 is out of range for this 8-bit unsigned integer (0..255)");
    BOOST_TEST(convert("int16", "-32768") == "-32768");
    BOOST_TEST(convert("uint16", "65536").find("out of range for this 16-bit unsigned") != std::string::npos);
    BOOST_TEST(convert("int", "2147483647") == "2147483647");
    BOOST_TEST(convert("int", "2147483648").find("out of range for this 32-bit signed") != std::string::npos);
    BOOST_TEST(convert("unsigned", "4294967295") == "4294967295");
    BOOST_TEST(convert("long", "-9223372036854775808") == "-9223372036854775808");
    BOOST_TEST(convert("uint64", "18446744073709549568") == "18446744073709549568");  // beyond int64, exact in a double
    BOOST_TEST(convert("uint64", "-5").find("out of range for this 64-bit unsigned") != std::string::npos);
    BOOST_TEST(convert("int", "2.0") == "2");  // a whole number written with a fraction
    BOOST_TEST(convert("int", "2.5") == "FAIL faktory::ArgumentError: argument 1: expected integer, got number");
    BOOST_TEST(convert("int", "\"7\"") == "FAIL faktory::ArgumentError: argument 1: expected integer, got string");
    BOOST_TEST(convert("bool", "1") == "FAIL faktory::ArgumentError: argument 1: expected boolean, got integer");
    BOOST_TEST(convert("bool", "true") == "true");
}

BOOST_AUTO_TEST_CASE(every_floating_type) {
    BOOST_TEST(convert("float", "1.5") == "1.5");
    BOOST_TEST(convert("float", "1e300") ==
               "FAIL faktory::ArgumentError: argument 1: " + std::to_string(1e300) + " is out of range for this floating type");
    BOOST_TEST(convert("double", "3") == "3");
    BOOST_TEST(convert("long double", "0.25") == "0.25");
    BOOST_TEST(convert("double", "null") == "FAIL faktory::ArgumentError: argument 1: expected number, got null");
}

BOOST_AUTO_TEST_CASE(optional_vector_map_and_value_args) {
    BOOST_TEST(convert("optional int", "null") == "nullopt");
    BOOST_TEST(convert("optional int", "5") == "5");
    BOOST_TEST(convert("string", "\"caf\\u00e9 \\ud83d\\ude00\"") == "caf\xc3\xa9 \xf0\x9f\x98\x80");
    BOOST_TEST(convert("vector double", "[1, 2.5, -3]") == "[1,2.5,-3]");
    BOOST_TEST(convert("vector vector int", "[[1,2],[],[3]]") == "[[1,2],[],[3]]");
    BOOST_TEST(convert("vector vector int", "[[1,\"x\"]]") ==
               "FAIL faktory::ArgumentError: argument 1[0][1]: expected integer, got string");
    BOOST_TEST(convert("map string", R"({"b":"2","a":"1"})") == "{a:1,b:2}");
    BOOST_TEST(convert("map vector int", R"({"x":[1,2],"y":[]})") == "{x:[1,2],y:[]}");
    BOOST_TEST(convert("map vector int", R"({"x":[1,300000000000]})") ==
               "FAIL faktory::ArgumentError: argument 1[\"x\"][1]: 300000000000 is out of range for this 32-bit "
               "signed integer (-2147483648..2147483647)");
    BOOST_TEST(convert("map string", "[1]") ==
               "FAIL faktory::ArgumentError: argument 1: expected object of string, got array");
    BOOST_TEST(convert("value", R"([{"k":[1,"two",{"n":null}]},false,1.5])") == R"([{"k":[1,"two",{"n":null}]},false,1.5])");
}

BOOST_AUTO_TEST_CASE(optional_arg_that_is_missing_is_nullopt) {
    const auto outcome = run("OptionalArg", "[]");
    BOOST_TEST((outcome.status == Status::ack), outcome.errtype << ": " << outcome.message);
    BOOST_TEST(logs == std::vector<std::string>{"1|limit=nullopt"});
    const auto missing = run("Convert", R"(["int"])");
    BOOST_TEST(missing.message == "argument 1: expected integer, got nothing (no such argument)");
}

BOOST_AUTO_TEST_CASE(sum_of_a_list_pushes_cpp_values_as_escaped_json) {
    const auto outcome = run("Sum", "[[1, 2.5, 3]]");
    BOOST_TEST((outcome.status == Status::ack), outcome.errtype << ": " << outcome.message);
    BOOST_TEST_REQUIRE(pushes.size() == 1u);
    BOOST_TEST(pushes[0] == R"(Report|[6.5,"total","quote \" and \\ and\nnewline",null,true,[1,2],{"k":1},[1,"x"]]|reports)");
    // The pushed args are valid JSON that reads back to the same values.
    const auto args = faktory::Value::parse(pushes[0].substr(7, pushes[0].size() - 7 - 8));
    BOOST_TEST(args[2].as_string() == "quote \" and \\ and\nnewline");
}

BOOST_AUTO_TEST_CASE(push_refuses_args_that_are_not_a_list) {
    const auto outcome = run("PushNotAList");
    BOOST_TEST(outcome.errtype == "std::invalid_argument");
    BOOST_TEST(outcome.message == "push Report: args must be a list, e.g. {1, \"two\"}");
    BOOST_TEST(pushes.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sdk_config_api)

BOOST_AUTO_TEST_CASE(typed_nested_config) {
    LoadedSdkPlugin loaded("config_1_1", 0,
                           R"({"port":8080,"ratio":0.25,"hosts":["a","b"],"limits":{"x":[1,2,3]},"timeout":30})",
                           "config-1-1");
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    BOOST_TEST((loaded.run("ShowConfig").status == Status::ack));
    BOOST_TEST(loaded.logs ==
               std::vector<std::string>{"1|port=8080 ratio=0.250000 hosts=a;b; limits=x=3; timeout=30"});
}

BOOST_AUTO_TEST_CASE(config_out_of_range_fails_init_naming_the_key) {
    LoadedSdkPlugin loaded("config_1_1", 0, R"({"port":70000})", "config-1-1");
    BOOST_TEST(loaded.load_errors().find("init failed: faktory::ArgumentError: config key \"port\": 70000 is out of "
                                         "range for this 16-bit unsigned integer (0..65535)") != std::string::npos,
               loaded.load_errors());
}

BOOST_AUTO_TEST_CASE(required_config_key_missing_fails_init) {
    LoadedSdkPlugin loaded("config_1_1", 0, R"({"ratio":1})", "config-1-1");
    BOOST_TEST(loaded.load_errors().find("config key \"port\" is required (integer)") != std::string::npos,
               loaded.load_errors());
}

BOOST_AUTO_TEST_CASE(registration_failure_carries_the_hosts_message) {
    LoadedSdkPlugin loaded("config_1_1", 0, R"({"port":1,"register_twice":true})", "config-1-1");
    // The host names the refused registration, and the plugin got the same text back from handle().
    BOOST_TEST(loaded.load_errors().find("(init reported: std::invalid_argument: cannot register a handler: "
                                         "registered jobtype \"Twice\" twice)") != std::string::npos,
               loaded.load_errors());
}

BOOST_AUTO_TEST_SUITE_END()
