// The version rule of plugin.h, both ways, through the real loader: a plugin
// built against the 1.0 headers (tests/fixtures/sdk-1.0) runs in this 1.1 host;
// a 1.1 plugin using only 1.0 members runs on a table cut to 1.0's size; one
// using a 1.1 member fails there with a message naming the member.
#include <boost/test/unit_test.hpp>

#include <faktory/plugin.h>

#include "sdk_host.hpp"

using faktory_host::sdk_testing::LoadedSdkPlugin;
using Status = faktory_host::plugins::JobOutcome::Status;

BOOST_AUTO_TEST_SUITE(sdk_version_rule)

BOOST_AUTO_TEST_CASE(host_api_size_1_0_is_where_1_0_ended) {
    // The 1.0 table ended with config_value; 1.1 members only follow it.
    BOOST_TEST(FAKTORY_HOST_API_SIZE_1_0 == offsetof(faktory_host_api, retry_policy));
    BOOST_TEST(FAKTORY_HOST_API_SIZE_1_0 == 4 * sizeof(std::uint32_t) /* 3 + padding */ + 15 * sizeof(void*));
    faktory_host_api cut{};
    cut.size = FAKTORY_HOST_API_SIZE_1_0;
    cut.config_value = reinterpret_cast<decltype(cut.config_value)>(1);
    cut.at = reinterpret_cast<decltype(cut.at)>(1);  // set, but past the size: still absent
    BOOST_TEST(FAKTORY_HOST_HAS(&cut, config_value));
    BOOST_TEST(!FAKTORY_HOST_HAS(&cut, at));
    cut.size = sizeof(faktory_host_api);
    BOOST_TEST(FAKTORY_HOST_HAS(&cut, at));
    BOOST_TEST(!FAKTORY_HOST_HAS(&cut, job_json));  // inside the size but NULL
}

BOOST_AUTO_TEST_CASE(plugin_built_against_1_0_headers_runs_in_the_1_1_host) {
    LoadedSdkPlugin loaded("one_oh", 0, R"({"factor":3})", "one-oh");
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    const auto ok = loaded.run_json(
        R"({"jid":"j1","jobtype":"OldEcho","args":["ann",2],"custom":{"t":1},"failure":{"retry_count":4}})");
    BOOST_TEST((ok.status == Status::ack), ok.errtype << ": " << ok.message);
    BOOST_TEST_REQUIRE(loaded.logs.size() == 1u);
    BOOST_TEST(loaded.logs[0] == R"(1|ann x6 retry_count=4 custom={"t":1})");
    BOOST_TEST_REQUIRE(loaded.pushes.size() == 1u);
    BOOST_TEST(loaded.pushes[0] == R"(OldNext|["ann"]|low)");

    const auto failed = loaded.run("OldFail");
    BOOST_TEST((failed.status == Status::fail));
    BOOST_TEST(failed.errtype == "OldError");
    BOOST_TEST(failed.message == "failed the 1.0 way");
    BOOST_TEST(failed.backtrace == std::vector<std::string>{"frame 1"});

    const auto thrown = loaded.run("OldThrow", R"(["x"])");
    BOOST_TEST(thrown.errtype == "faktory::ArgumentError");
    BOOST_TEST(thrown.message == "argument 0: expected integer, got string");
}

BOOST_AUTO_TEST_CASE(plugin_built_against_1_0_headers_also_runs_on_a_1_0_sized_table) {
    LoadedSdkPlugin loaded("one_oh", FAKTORY_HOST_API_SIZE_1_0);
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    BOOST_TEST((loaded.run("OldEcho", R"(["bo",1])").status == Status::ack));
}

BOOST_AUTO_TEST_CASE(plugin_built_against_1_1_using_only_1_0_members_runs_on_a_1_0_sized_table) {
    LoadedSdkPlugin loaded("one_one", FAKTORY_HOST_API_SIZE_1_0);
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    const auto ok = loaded.run("Basic", R"(["b"])");
    BOOST_TEST((ok.status == Status::ack), ok.errtype << ": " << ok.message);
    BOOST_TEST(loaded.logs == std::vector<std::string>{"1|basic b"});
    BOOST_TEST(loaded.pushes == std::vector<std::string>{"Next|[1]|low"});
    // Header-only 1.1 features (typed vectors) need no host member either.
    BOOST_TEST((loaded.run("Convert", R"(["vector double",[1,2.5]])").status == Status::ack));
}

BOOST_AUTO_TEST_CASE(plugin_using_a_1_1_member_fails_on_a_1_0_sized_table_naming_it) {
    LoadedSdkPlugin loaded("one_one", FAKTORY_HOST_API_SIZE_1_0);
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    const auto failed = loaded.run("Whole");
    BOOST_TEST((failed.status == Status::fail));
    BOOST_TEST(failed.errtype == "faktory::MissingHostMember");
    BOOST_TEST(failed.message ==
               "this host's API table (ABI 1.0) has no faktory_host_api.failure, added in SDK 1.1: upgrade the "
               "host, or do not call faktory::Job::failure() on it");
}

BOOST_AUTO_TEST_CASE(the_same_plugin_uses_the_1_1_member_on_the_whole_table) {
    LoadedSdkPlugin loaded("one_one");
    BOOST_TEST_REQUIRE(loaded.load_errors() == "");
    const auto ok = loaded.run_json(R"({"jid":"j9","jobtype":"Whole","custom":{"tenant":"t1"}})");
    BOOST_TEST((ok.status == Status::ack), ok.errtype << ": " << ok.message);
}

BOOST_AUTO_TEST_CASE(c_plugin_checks_each_1_1_member_and_falls_back_on_a_1_0_host) {
    LoadedSdkPlugin new_host("c_1_1");
    BOOST_TEST_REQUIRE(new_host.load_errors() == "");
    BOOST_TEST((new_host.run_json(R"({"jid":"c1","jobtype":"WhichHost"})").status == Status::ack));
    BOOST_TEST(new_host.logs == std::vector<std::string>{R"(1|1.1 host, handle at init: yes, job: {"jid":"c1","jobtype":"WhichHost"})"});

    LoadedSdkPlugin old_host("c_1_1", FAKTORY_HOST_API_SIZE_1_0);
    BOOST_TEST_REQUIRE(old_host.load_errors() == "");
    BOOST_TEST((old_host.run("WhichHost").status == Status::ack));
    BOOST_TEST(old_host.logs == std::vector<std::string>{"1|1.0 host, handle at init: no"});
}

BOOST_AUTO_TEST_SUITE_END()
