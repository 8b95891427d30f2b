// SDK 1.1 middleware through the real loader: around hooks run in the order
// plugins.middleware gives (then load order), see the outcome, may FAIL a job
// without running it, apply to chosen jobtypes only; a misnamed id is a load
// error. And the timing example around the hello example.
#include <boost/test/unit_test.hpp>

#include <faktory/plugin.h>

#include "sdk_host.hpp"

using faktory_host::sdk_testing::LoadedSdkPlugin;
using Status = faktory_host::plugins::JobOutcome::Status;
namespace plugins = faktory_host::plugins;

BOOST_AUTO_TEST_SUITE(sdk_middleware)

BOOST_AUTO_TEST_CASE(middleware_runs_in_load_order_around_the_handler) {
    LoadedSdkPlugin loaded({"middleware_1_1", "one_one"}, [](plugins::LoaderOptions&) {});
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    BOOST_TEST((loaded.run("Basic", R"(["x"])").status == Status::ack));
    BOOST_TEST(loaded.logs == (std::vector<std::string>{"1|outer before", "1|inner before", "1|basic x",
                                                        "1|guard saw ACK", "1|inner after", "1|outer after"}));
}

BOOST_AUTO_TEST_CASE(config_order_comes_first_then_load_order) {
    LoadedSdkPlugin loaded({"middleware_1_1", "one_one"},
                           [](plugins::LoaderOptions& o) { o.middleware_order = {"mw/guard", "mw/inner"}; });
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    BOOST_TEST((loaded.run("Basic", R"(["x"])").status == Status::ack));
    BOOST_TEST(loaded.logs == (std::vector<std::string>{"1|inner before", "1|outer before", "1|basic x",
                                                        "1|outer after", "1|inner after", "1|guard saw ACK"}));
}

BOOST_AUTO_TEST_CASE(middleware_fails_a_job_without_running_it) {
    LoadedSdkPlugin loaded({"middleware_1_1", "one_one"}, [](plugins::LoaderOptions&) {});
    const auto outcome = loaded.run("Basic", R"(["deny"])");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.errtype == "std::runtime_error");
    BOOST_TEST(outcome.message == "denied by guard");
    BOOST_TEST(loaded.pushes.empty());  // Basic pushes when it runs: it did not
    BOOST_TEST(loaded.logs == (std::vector<std::string>{"1|outer before", "1|inner before", "1|inner after",
                                                        "1|outer after"}));
}

BOOST_AUTO_TEST_CASE(middleware_sees_a_failed_outcome_and_skips_other_jobtypes) {
    LoadedSdkPlugin loaded({"middleware_1_1", "one_one"},
                           [](plugins::LoaderOptions& o) { o.middleware_order = {"mw/guard"}; });
    // Convert is not among guard's jobtypes: only outer and inner wrap it.
    const auto failed = loaded.run("Convert", R"(["int", "x"])");
    BOOST_TEST((failed.status == Status::fail));
    BOOST_TEST(loaded.logs == (std::vector<std::string>{"1|outer before", "1|inner before", "1|inner after",
                                                        "1|outer after"}));
}

BOOST_AUTO_TEST_CASE(an_unknown_middleware_id_is_a_load_error) {
    LoadedSdkPlugin loaded({"middleware_1_1"}, [](plugins::LoaderOptions& o) { o.middleware_order = {"mw/nope"}; });
    BOOST_TEST(loaded.load_errors() ==
               "plugins.middleware names \"mw/nope\", but no loaded plugin registered it (ids are \"plugin/name\")\n");
}

BOOST_AUTO_TEST_CASE(middleware_needs_a_1_1_host) {
    LoadedSdkPlugin loaded({"middleware_1_1"}, [](plugins::LoaderOptions& o) { o.host_api_size = FAKTORY_HOST_API_SIZE_1_0; });
    BOOST_TEST(loaded.load_errors().find("has no faktory_host_api.register_middleware, added in SDK 1.1") !=
                   std::string::npos,
               loaded.load_errors());
}

BOOST_AUTO_TEST_CASE(timing_example_logs_each_job_with_its_outcome) {
    LoadedSdkPlugin loaded({HELLO_PLUGIN, TIMING_PLUGIN}, [](plugins::LoaderOptions&) {});
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    BOOST_TEST((loaded.run("Hello", R"(["Ann"])").status == Status::ack));
    BOOST_TEST_REQUIRE(loaded.logs.size() == 2u);
    BOOST_TEST(loaded.logs[0] == "1|Hello, Ann!");
    BOOST_TEST(loaded.logs[1].rfind("1|Hello took ", 0) == 0u);
    BOOST_TEST(loaded.logs[1].find(" ms: ACK") != std::string::npos);
    loaded.logs.clear();
    BOOST_TEST((loaded.run("AlwaysFails").status == Status::fail));
    BOOST_TEST_REQUIRE(loaded.logs.size() == 1u);
    BOOST_TEST(loaded.logs[0].find(" ms: FAIL std::runtime_error") != std::string::npos, loaded.logs[0]);
}

BOOST_AUTO_TEST_SUITE_END()
