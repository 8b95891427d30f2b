// The two official ends meet on the dev server: the Node client (npm
// faktory-worker 4.7.1, a client we did not write) and faktory-host. The Node
// script asserts every answer it relies on (INFO sizes around PUSH, `at`, a
// worker's ACK and FAIL, MUTATE, a quiet reaching its heartbeat); then the
// host runs jobs the Node client pushed. The CTest fixture node_client_install
// puts the package into the build tree first; when that fails, so does this.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <future>
#include <sstream>
#include <thread>

#include <Poco/JSON/Parser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

namespace {

struct NodeRun {
    int exit_code = -1;  // -1: killed at the deadline
    std::string output;
};

std::string required_environment(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') throw std::runtime_error(std::string(name) + " is not set (see CMake)");
    return value;
}

// Runs client_checks.js with the installed package, bounded by `deadline`.
NodeRun run_node(HostRig& rig, const std::vector<std::string>& arguments, std::chrono::seconds deadline = 60s) {
    const std::string modules = required_environment("NODE_CLIENT_DIR") + "/node_modules";
    std::vector<std::string> node_arguments{required_environment("NODE_CLIENT_SCRIPT")};
    node_arguments.insert(node_arguments.end(), arguments.begin(), arguments.end());
    Poco::Process::Env environment{
        {"NODE_PATH", modules},
        {"FAKTORY_URL", rig.url()},
        {"DEVSERVER_CONTROL", "http://127.0.0.1:" + std::to_string(rig.server().control_port())},
    };
    Poco::Pipe output;
    Poco::ProcessHandle child =
        Poco::Process::launch("node", node_arguments, rig.dir().string(), nullptr, &output, &output, environment);
    auto reading = std::async(std::launch::async, [&output] {
        Poco::PipeInputStream stream(output);
        std::ostringstream text;
        Poco::StreamCopier::copyStream(stream, text);
        return text.str();
    });
    NodeRun run;
    if (reading.wait_for(deadline) != std::future_status::ready) {
        Poco::Process::kill(child);
        run.output = reading.get() + "\n(killed after " + std::to_string(deadline.count()) + " s)";
        child.wait();
        return run;
    }
    run.output = reading.get();
    run.exit_code = child.wait();
    return run;
}

} // namespace

BOOST_AUTO_TEST_SUITE(node_client)

BOOST_AUTO_TEST_CASE(node_client_gets_the_answers_it_expects_from_the_dev_server) {
    HostRig rig;
    const auto run = run_node(rig, {"checks"});
    BOOST_TEST(run.exit_code == 0, run.output);
    BOOST_TEST(run.output.find("ok done") == std::string::npos);  // "done" is the last step, never passed
    BOOST_TEST(run.output.find("ok FLUSH keeps the queues it has seen, each empty") != std::string::npos, run.output);
}

BOOST_AUTO_TEST_CASE(faktory_host_runs_the_jobs_the_node_client_pushed) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    auto& host = rig.start_host();
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());

    constexpr int count = 20;
    const auto trace = rig.path("trace");
    const auto run = run_node(rig, {"push-for-host", trace.string(), std::to_string(count)});
    BOOST_REQUIRE_MESSAGE(run.exit_code == 0, run.output);
    const auto last_line = run.output.substr(run.output.rfind('{'));
    const std::string raised = Poco::JSON::Parser()
                                   .parse(last_line)
                                   .extract<Poco::JSON::Object::Ptr>()
                                   ->getValue<std::string>("raise");

    BOOST_TEST(eventually([&] { return rig.processed() == count + 1; }, 20s), rig.diagnostics());
    auto lines = HostRig::lines(trace);
    std::sort(lines.begin(), lines.end());
    std::vector<std::string> expected;
    for (int i = 0; i < count; ++i) expected.push_back("1.0.0 default node-" + std::to_string(i));
    std::sort(expected.begin(), expected.end());
    BOOST_TEST(lines == expected, boost::test_tools::per_element());
    const auto failure = rig.failure_of(raised);
    BOOST_REQUIRE(failure);
    BOOST_TEST(failure->getValue<std::string>("errtype") == "std::invalid_argument");
    BOOST_TEST(failure->getValue<std::string>("message") == "raised on purpose by " + raised);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_SUITE_END()
