// SDK 1.1 plugin state and the host handle through the real loader: the
// instance init hands over reaches handlers and is destroyed after shutdown;
// init and the plugin's own thread push (with options) and log through the
// handle; handlers push with options and in bulk; wait_cancelled and the
// cancel fd return early on cancellation.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <faktory/plugin.h>

#include "sdk_host.hpp"
#include "support/eventually.hpp"

using faktory_host::sdk_testing::LoadedSdkPlugin;
using faktory_host::testing::eventually;
using Status = faktory_host::plugins::JobOutcome::Status;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json) {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct StatePlugin {
    faktory_host::testing::TempDir trace_dir;
    std::filesystem::path trace = trace_dir.path() / "trace.txt";
    std::unique_ptr<LoadedSdkPlugin> loaded = std::make_unique<LoadedSdkPlugin>(
        "state_1_1", 0, "{\"trace_file\":\"" + trace.string() + "\"}", "state-1-1");
    StatePlugin() { BOOST_TEST_REQUIRE(loaded->load_errors() == ""); }

    // The pushes whose jobtype is `jobtype`, parsed.
    std::vector<Poco::JSON::Object::Ptr> pushed(const std::string& jobtype) {
        std::vector<Poco::JSON::Object::Ptr> found;
        for (const auto& line : loaded->snapshot(loaded->pushes)) {
            if (line.empty() || line[0] != '{') continue;
            auto job = parse(line);
            if (job->getValue<std::string>("jobtype") == jobtype) found.push_back(job);
        }
        return found;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sdk_host_handle, StatePlugin)

BOOST_AUTO_TEST_CASE(init_pushes_and_logs_through_the_host_handle) {
    const auto from_init = pushed("FromInit");
    BOOST_TEST_REQUIRE(from_init.size() == 1u);
    BOOST_TEST(from_init[0]->getValue<std::string>("queue") == "default");
    BOOST_TEST(from_init[0]->getValue<std::string>("jid").size() == 32u);
    const auto logs = loaded->snapshot(loaded->plugin_logs);
    BOOST_TEST_REQUIRE(!logs.empty());
    BOOST_TEST(logs[0] == "1|state-1-1|init pushing");
}

BOOST_AUTO_TEST_CASE(the_plugins_own_thread_pushes_with_every_option) {
    BOOST_TEST_REQUIRE(eventually([&] { return pushed("FromThread").size() == 1u; }));
    const auto job = pushed("FromThread")[0];
    std::ostringstream args;
    job->getArray("args")->stringify(args);
    BOOST_TEST(args.str() == R"(["tick"])");
    BOOST_TEST(job->getValue<std::string>("queue") == "background");
    BOOST_TEST(job->getValue<int>("retry") == 2);
    BOOST_TEST(job->getValue<int>("reserve_for") == 90);
    BOOST_TEST(job->getValue<int>("priority") == 7);
    BOOST_TEST(job->getValue<std::string>("at") == "2030-01-01T00:00:00Z");
    BOOST_TEST(job->getObject("custom")->getValue<std::string>("from") == "thread");
    BOOST_TEST_REQUIRE(eventually([&] {
        const auto logs = loaded->snapshot(loaded->plugin_logs);
        return std::find(logs.begin(), logs.end(), "2|state-1-1|thread pushed") != logs.end();
    }));
}

BOOST_AUTO_TEST_CASE(handlers_share_the_instance_and_it_is_destroyed_after_shutdown) {
    for (int i = 0; i < 3; ++i) BOOST_TEST((loaded->run("Count").status == Status::ack));
    BOOST_TEST(loaded->snapshot(loaded->logs).back() == "1|count=3");
    loaded->generation.reset();  // the last reference: shutdown, destroys, unload
    BOOST_TEST(read_file(trace) == "shutdown\ninstance destroyed, count=3\n");
}

BOOST_AUTO_TEST_CASE(handler_pushes_with_options_and_escaped_args) {
    const auto outcome = loaded->run("PushOptions");
    BOOST_TEST((outcome.status == Status::ack), outcome.errtype << ": " << outcome.message);
    const auto opt = pushed("Opt");
    BOOST_TEST_REQUIRE(opt.size() == 1u);
    BOOST_TEST(opt[0]->getValue<std::string>("queue") == "low");
    BOOST_TEST(opt[0]->getValue<int>("retry") == 0);
    BOOST_TEST(!opt[0]->has("reserve_for"));
    BOOST_TEST(opt[0]->getArray("args")->getElement<std::string>(1) == "a \"quoted\" word");
    BOOST_TEST(loaded->snapshot(loaded->logs).back() == "1|pushed " + opt[0]->getValue<std::string>("jid"));
}

BOOST_AUTO_TEST_CASE(bulk_push_returns_a_result_per_job) {
    const auto outcome = loaded->run("Bulk");
    BOOST_TEST((outcome.status == Status::ack), outcome.errtype << ": " << outcome.message);
    BOOST_TEST(loaded->snapshot(loaded->logs).back() == "1|ok;refused: jobtype Refused is refused;ok;");
    BOOST_TEST(pushed("A").size() == 1u);
    BOOST_TEST_REQUIRE(pushed("C").size() == 1u);
    BOOST_TEST(pushed("C")[0]->getValue<std::string>("queue") == "q3");
}

BOOST_AUTO_TEST_CASE(structured_log_fields_reach_the_host_as_pairs) {
    std::vector<std::string> lines;
    loaded->services.log_fields = [&](faktory_host::plugins::LogLevel level, const faktory_host::plugins::JobInput* job,
                                      std::string_view plugin, std::string_view message,
                                      const std::vector<std::pair<std::string, std::string>>& fields) {
        std::string line = std::to_string(static_cast<int>(level)) + "|" + (job ? job->jid : "-") + "|" +
                           std::string(plugin) + "|" + std::string(message);
        for (const auto& [k, v] : fields) line += "|" + k + "=" + v;
        lines.push_back(line);
    };
    BOOST_TEST((loaded->run("LogFields").status == Status::ack));
    BOOST_TEST(lines == (std::vector<std::string>{"2|jid-1|state-1-1|charged|amount=12.50|currency=EUR",
                                                  "1|-|state-1-1|from the handle|k=v"}));  // the handle: no job tag
}

BOOST_AUTO_TEST_CASE(without_a_fields_service_the_fields_join_the_message) {
    BOOST_TEST((loaded->run("LogFields").status == Status::ack));
    BOOST_TEST(loaded->snapshot(loaded->logs).back() == "2|charged amount=12.50 currency=EUR");
    BOOST_TEST(loaded->snapshot(loaded->plugin_logs).back() == "1|state-1-1|from the handle k=v");
}

BOOST_AUTO_TEST_CASE(log_enabled_asks_the_hosts_level) {
    loaded->services.log_enabled = [](faktory_host::plugins::LogLevel level) {
        return level != faktory_host::plugins::LogLevel::debug;  // as with log.level: info
    };
    BOOST_TEST((loaded->run("LogLevels").status == Status::ack));
    BOOST_TEST(loaded->snapshot(loaded->logs).back() == "1|off;on;on;");
}

BOOST_AUTO_TEST_CASE(wait_cancelled_times_out_when_nobody_cancels) {
    BOOST_TEST((loaded->run("WaitShort").status == Status::ack));
    BOOST_TEST(loaded->snapshot(loaded->logs).back() == "1|timed out");
}

BOOST_AUTO_TEST_CASE(wait_cancelled_and_the_cancel_fd_return_early_on_cancel) {
    for (const std::string jobtype : {"WaitCancel", "PollCancel"}) {
        const std::string first_line = jobtype == "WaitCancel" ? "1|waiting" : "1|polling";
        loaded->logs.clear();
        std::stop_source cancel;
        const auto started = std::chrono::steady_clock::now();
        std::jthread runner([&] { loaded->run_json(R"({"jid":"c1","jobtype":")" + jobtype + "\"}", cancel.get_token()); });
        BOOST_TEST_REQUIRE(eventually([&] {
            const auto logs = loaded->snapshot(loaded->logs);
            return !logs.empty() && logs[0] == first_line;
        }));
        cancel.request_stop();
        runner.join();
        // The handler waits up to 20 s; returning well before says the cancel woke it.
        const bool woke_early = std::chrono::steady_clock::now() - started < std::chrono::seconds(10);
        BOOST_TEST(woke_early);
        BOOST_TEST(loaded->snapshot(loaded->logs).back() ==
                   (jobtype == "WaitCancel" ? "1|cancelled" : "1|fd readable"));
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(host_handle_calls_fail_by_name_on_a_1_0_sized_table) {
    faktory_host::testing::TempDir trace_dir;
    // The state plugin's init uses 1.1's init block members and must fail by name on a 1.0 host.
    LoadedSdkPlugin state("state_1_1", FAKTORY_HOST_API_SIZE_1_0,
                          "{\"trace_file\":\"" + (trace_dir.path() / "t").string() + "\"}", "state-1-1");
    BOOST_TEST(state.load_errors().find("init failed: faktory::HostError: this host's init block has no instance "
                                        "slot, added in SDK 1.1: upgrade the host, or do not call "
                                        "faktory::Plugin::own_instance() on it") != std::string::npos,
               state.load_errors());
}
