// args and custom JSON text made on demand (JobInput::args_text, custom_text):
// a job whose handler never asks for them never has them built; one that asks
// gets them built once and sees the same bytes at the same address every time.
#include <boost/test/unit_test.hpp>

#include <stop_token>

#include "fixture_plugins.hpp"
#include "plugins/host_api.hpp"
#include "support/temp_dir.hpp"

namespace plugins = faktory_host::plugins;
using faktory_host::testing::deploy;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::job;
using faktory_host::testing::RecordingServices;
using faktory_host::testing::TempDir;
using Status = plugins::JobOutcome::Status;

namespace {

// A job input whose texts come from counting producers.
struct CountedInput {
    int args_made = 0;
    int custom_made = 0;
    plugins::JobInput input = job("Describe");

    CountedInput(std::string args, std::string custom) {
        input.args_json.clear();
        input.custom_json.clear();
        input.args_text = [this, args] {
            ++args_made;
            return args;
        };
        input.custom_text = [this, custom] {
            ++custom_made;
            return custom;
        };
    }
};

// The host API called directly on one job, as a plugin's calls arrive.
struct DirectJob {
    std::stop_source stop;
    std::stop_token token = stop.get_token();
    plugins::HostServices services;
    plugins::JobOutcome outcome;
    faktory_job job;
    const faktory_host_api& api = plugins::host_api();

    explicit DirectJob(const plugins::JobInput& input) : job(input, token, services, outcome) {}
};

} // namespace

BOOST_AUTO_TEST_SUITE(job_text)

BOOST_AUTO_TEST_CASE(texts_are_not_made_while_only_other_fields_are_read) {
    CountedInput counted(R"(["a",1])", R"({"tenant":"t1"})");
    DirectJob direct(counted.input);
    BOOST_TEST(std::string(direct.api.jid(&direct.job).data) == "jid-1");
    BOOST_TEST(std::string(direct.api.jobtype(&direct.job).data) == "Describe");
    BOOST_TEST(std::string(direct.api.queue(&direct.job).data) == "default");
    BOOST_TEST(direct.api.retry_count(&direct.job) == 0);
    BOOST_TEST(direct.api.cancelled(&direct.job) == 0);
    BOOST_TEST(counted.args_made == 0);
    BOOST_TEST(counted.custom_made == 0);
}

BOOST_AUTO_TEST_CASE(args_asked_twice_are_made_once_and_borrowed_from_the_same_bytes) {
    CountedInput counted(R"(["a",1,2.5])", "{}");
    DirectJob direct(counted.input);
    const auto first = direct.api.args_json(&direct.job);
    const auto second = direct.api.args_json(&direct.job);
    BOOST_TEST(std::string(first.data, first.size) == R"(["a",1,2.5])");
    BOOST_TEST(first.data[first.size] == '\0');
    BOOST_TEST(static_cast<const void*>(first.data) == static_cast<const void*>(second.data));
    BOOST_TEST(first.size == second.size);
    // Typed access reads the same text; it does not make it again.
    BOOST_TEST(direct.api.arg_count(&direct.job) == 3u);
    faktory_value value{};
    value.size = sizeof(value);
    BOOST_TEST(direct.api.arg(&direct.job, 0, &value) == FAKTORY_OK);
    BOOST_TEST(std::string(value.text.data, value.text.size) == "a");
    BOOST_TEST(counted.args_made == 1);
    BOOST_TEST(counted.custom_made == 0);
}

BOOST_AUTO_TEST_CASE(typed_access_alone_makes_the_args_text_once) {
    CountedInput counted(R"(["x",7])", "{}");
    DirectJob direct(counted.input);
    faktory_value value{};
    value.size = sizeof(value);
    BOOST_TEST(direct.api.arg(&direct.job, 1, &value) == FAKTORY_OK);
    BOOST_TEST(value.integer == 7);
    BOOST_TEST(direct.api.arg_count(&direct.job) == 2u);
    BOOST_TEST(counted.args_made == 1);
}

BOOST_AUTO_TEST_CASE(custom_asked_twice_is_made_once_and_borrowed_from_the_same_bytes) {
    CountedInput counted("[]", R"({"tenant":"t1"})");
    DirectJob direct(counted.input);
    const auto first = direct.api.custom_json(&direct.job);
    const auto second = direct.api.custom_json(&direct.job);
    BOOST_TEST(std::string(first.data, first.size) == R"({"tenant":"t1"})");
    BOOST_TEST(static_cast<const void*>(first.data) == static_cast<const void*>(second.data));
    BOOST_TEST(counted.custom_made == 1);
    BOOST_TEST(counted.args_made == 0);
}

BOOST_AUTO_TEST_CASE(custom_made_empty_reads_as_an_empty_object) {
    CountedInput counted("[]", "");
    DirectJob direct(counted.input);
    const auto custom = direct.api.custom_json(&direct.job);
    BOOST_TEST(std::string(custom.data, custom.size) == "{}");
}

BOOST_AUTO_TEST_CASE(a_producer_that_throws_reads_as_empty_and_never_reaches_the_plugin) {
    auto input = job("Describe");
    input.args_text = []() -> std::string { throw std::runtime_error("cannot"); };
    input.custom_text = []() -> std::string { throw std::runtime_error("cannot"); };
    DirectJob direct(input);
    BOOST_TEST(direct.api.args_json(&direct.job).size == 0u);
    BOOST_TEST(std::string(direct.api.custom_json(&direct.job).data) == "{}");
    BOOST_TEST(direct.api.arg_count(&direct.job) == 0u);
}

BOOST_AUTO_TEST_CASE(handlers_through_the_loader_make_only_what_they_read) {
    TempDir dir;
    deploy(fixture_plugin("good"), dir.path());
    plugins::LoaderOptions options;
    options.dir = dir.path();
    plugins::LoadReport report;
    const auto generation = plugins::PluginGeneration::load(options, report);
    BOOST_TEST_REQUIRE(report.errors.empty());
    RecordingServices recorded;

    CountedInput untouched(R"(["a",1])", R"({"tenant":"t1"})");
    untouched.input.jobtype = "Succeed";  // reads nothing
    BOOST_TEST((generation->run(untouched.input, {}, recorded.services).status == Status::ack));
    BOOST_TEST(untouched.args_made == 0);
    BOOST_TEST(untouched.custom_made == 0);

    CountedInput described(R"(["a",1])", R"({"tenant":"t1"})");  // args_json, custom_json and arg_count
    BOOST_TEST((generation->run(described.input, {}, recorded.services).status == Status::ack));
    BOOST_TEST(recorded.log_lines() == std::vector<std::string>{R"(jid-1|Describe|default|["a",1]|{"tenant":"t1"}|0|2)"});
    BOOST_TEST(described.args_made == 1);
    BOOST_TEST(described.custom_made == 1);
}

BOOST_AUTO_TEST_SUITE_END()
