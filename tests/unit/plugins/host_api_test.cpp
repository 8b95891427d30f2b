// The host API table as handlers see it, through PluginGeneration::run and the
// C++ wrapper: job accessors, typed args and their errors, exceptions -> FAIL,
// explicit fail with a backtrace, push, log, cancellation, and concurrent calls.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <stop_token>
#include <thread>

#include "fixture_plugins.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"

namespace plugins = faktory_host::plugins;
using faktory_host::testing::deploy;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::job;
using faktory_host::testing::RecordingServices;
using faktory_host::testing::TempDir;
using Status = plugins::JobOutcome::Status;

namespace {

struct GoodPlugin {
    TempDir dir;
    std::shared_ptr<plugins::PluginGeneration> generation;
    RecordingServices recorded;

    GoodPlugin() {
        deploy(fixture_plugin("good"), dir.path());
        plugins::LoaderOptions options;
        options.dir = dir.path();
        plugins::LoadReport report;
        generation = plugins::PluginGeneration::load(options, report);
        BOOST_TEST_REQUIRE(report.errors.empty());
    }
    plugins::JobOutcome run(const plugins::JobInput& input) {
        return generation->run(input, {}, recorded.services);
    }
    plugins::JobOutcome run(const std::string& jobtype, const std::string& args = "[]") {
        return run(job(jobtype, args));
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(host_api, GoodPlugin)

BOOST_AUTO_TEST_CASE(handler_that_returns_acks) {
    const auto outcome = run("Succeed");
    BOOST_TEST((outcome.status == Status::ack));
    BOOST_TEST(outcome.errtype.empty());
}

BOOST_AUTO_TEST_CASE(handler_sees_jid_type_queue_args_custom_and_retry_count) {
    auto input = job("Describe", R"(["a",1])");
    input.jid = "abc123";
    input.queue = "critical";
    input.custom_json = R"({"tenant":"t1"})";
    input.retry_count = 3;
    BOOST_TEST((run(input).status == Status::ack));
    BOOST_TEST(recorded.log_lines() ==
               std::vector<std::string>{R"(abc123|Describe|critical|["a",1]|{"tenant":"t1"}|3|2)"});
}

BOOST_AUTO_TEST_CASE(absent_custom_reads_as_an_empty_object) {
    auto input = job("Describe");
    input.custom_json.clear();
    run(input);
    BOOST_TEST(recorded.log_lines().at(0).find("|{}|") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(typed_args_convert_by_index_and_integers_widen_to_double) {
    const auto outcome = run("TypedArgs", R"(["text", 42, 2.5, true])");
    BOOST_TEST((outcome.status == Status::ack), outcome.message);
    BOOST_TEST(recorded.log_lines() == std::vector<std::string>{"text,42,2.500000,true,42.000000"});
}

BOOST_AUTO_TEST_CASE(wrong_arg_type_fails_naming_index_expected_and_actual) {
    const auto outcome = run("WantInteger", R"(["a", "b"])");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.errtype == "faktory::ArgumentError");
    BOOST_TEST(outcome.message == "argument 1: expected integer, got string");
}

BOOST_AUTO_TEST_CASE(missing_arg_fails_naming_the_index) {
    const auto outcome = run("WantInteger", R"(["a"])");
    BOOST_TEST(outcome.errtype == "faktory::ArgumentError");
    BOOST_TEST(outcome.message == "argument 1: expected integer, got nothing (no such argument)");
}

BOOST_AUTO_TEST_CASE(nested_and_null_args_report_their_json_type) {
    BOOST_TEST(run("WantInteger", R"([0, {"k":1}])").message == "argument 1: expected integer, got object");
    BOOST_TEST(run("WantInteger", R"([0, [1]])").message == "argument 1: expected integer, got array");
    BOOST_TEST(run("WantInteger", R"([0, null])").message == "argument 1: expected integer, got null");
    BOOST_TEST(run("WantInteger", R"([0, 1.5])").message == "argument 1: expected integer, got number");
}

BOOST_AUTO_TEST_CASE(args_that_are_not_a_json_array_fail_the_typed_access) {
    const auto outcome = run("WantInteger", R"({"not":"an array"})");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.message.find("not a JSON array") != std::string::npos, outcome.message);
}

BOOST_AUTO_TEST_CASE(thrown_exception_becomes_fail_with_demangled_type_and_what) {
    const auto outcome = run("ThrowInvalidArgument");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.errtype == "std::invalid_argument");
    BOOST_TEST(outcome.message == "width must be positive");
}

BOOST_AUTO_TEST_CASE(plugin_defined_exception_type_is_named) {
    const auto outcome = run("ThrowCustom");
    BOOST_TEST(outcome.errtype.find("CustomError") != std::string::npos, outcome.errtype);
    BOOST_TEST(outcome.message == "custom trouble");
}

BOOST_AUTO_TEST_CASE(non_std_exception_becomes_fail_with_unknown_exception) {
    const auto outcome = run("ThrowInt");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.errtype == "unknown exception");
}

BOOST_AUTO_TEST_CASE(explicit_fail_carries_errtype_message_and_backtrace) {
    const auto outcome = run("FailExplicitly");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.errtype == "Declined");
    BOOST_TEST(outcome.message == "explicit failure");
    BOOST_TEST(outcome.backtrace == (std::vector<std::string>{"frame one", "frame two"}));
}

BOOST_AUTO_TEST_CASE(push_reaches_the_host_service_and_returns_the_jid) {
    BOOST_TEST((run("Push").status == Status::ack));
    BOOST_TEST(recorded.pushes == std::vector<std::string>{"Succeed|[1,2]|low"});
    BOOST_TEST(recorded.log_lines() == std::vector<std::string>{"pushed pushed-jid-1"});
}

BOOST_AUTO_TEST_CASE(push_without_a_producer_fails_the_job_with_the_hosts_reason) {
    recorded.services.push = nullptr;
    const auto outcome = run("Push");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.errtype == "faktory::HostError");
    BOOST_TEST(outcome.message.find("cannot push") != std::string::npos, outcome.message);
}

BOOST_AUTO_TEST_CASE(push_failure_in_the_host_reaches_the_plugin_as_an_error) {
    recorded.services.push = [](std::string_view, std::string_view, std::string_view) -> std::string {
        throw std::runtime_error("server said no");
    };
    const auto outcome = run("Push");
    BOOST_TEST(outcome.message == "push Succeed: server said no");
}

BOOST_AUTO_TEST_CASE(unknown_jobtype_fails_naming_it) {
    const auto outcome = run("NoSuchJobtype");
    BOOST_TEST((outcome.status == Status::fail));
    BOOST_TEST(outcome.errtype == "UnknownJobtype");
    BOOST_TEST(outcome.message.find("NoSuchJobtype") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cancelled_turns_true_when_the_stop_token_is_requested) {
    std::stop_source stop;
    plugins::JobOutcome outcome;
    std::atomic<bool> returned{false};
    std::thread worker([&] {
        outcome = generation->run(job("WaitForCancel"), stop.get_token(), recorded.services);
        returned = true;
    });
    BOOST_TEST(eventually([&] { return !recorded.log_lines().empty(); }));
    BOOST_TEST(!returned.load());  // still polling cancelled()
    stop.request_stop();
    worker.join();
    BOOST_TEST((outcome.status == Status::ack));
    BOOST_TEST(recorded.log_lines() == (std::vector<std::string>{"waiting", "cancelled"}));
}

BOOST_AUTO_TEST_CASE(many_threads_run_handlers_at_once) {
    constexpr int threads = 8, jobs_each = 500;
    std::atomic<int> acked{0};
    RecordingServices quiet;
    quiet.services.log = [](plugins::LogLevel, const plugins::JobInput&, std::string_view) {};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < jobs_each; ++i) {
                const auto kind = (i + t) % 2 ? "TypedArgs" : "ThrowInvalidArgument";
                const auto outcome = generation->run(job(kind, R"(["x", 1, 2.0, false])"), {}, quiet.services);
                if ((outcome.status == Status::ack) == (kind == std::string("TypedArgs"))) ++acked;
            }
        });
    for (auto& thread : pool) thread.join();
    BOOST_TEST(acked.load() == threads * jobs_each);
}

BOOST_AUTO_TEST_SUITE_END()
