// Results survive a server that shuts down and restarts under load: every
// ACK refused with `-ERR shutdown in progress` (or lost with its connection)
// is kept and sent again once the server is back, so every job is ACKed
// exactly once and no handler runs twice.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "harness/host_rig.hpp"
#include "protocol/client.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;
namespace protocol = faktory_host::protocol;

BOOST_AUTO_TEST_CASE(restarts_under_load_leave_every_job_acked_once_and_every_handler_run_once) {
    constexpr int jobs = 3000;
    HostRig rig;
    auto& server = rig.server();
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 8\n  queues: [default]\n");
    const auto trace = rig.path("trace");
    auto processed = [&] { return server.stats()->getValue<std::int64_t>("processed"); };
    auto queued = [&] { return server.stats()->getObject("queues")->optValue<std::int64_t>("default", 0); };
    auto working = [&] { return server.stats()->getArray("working")->size(); };

    // Queued before the host starts, in bulk: the run is all processing.
    {
        protocol::ClientOptions options;
        options.url = protocol::ServerUrl::parse(server.url());
        protocol::Client producer(options);
        producer.connect();
        std::vector<protocol::Job> batch;
        for (int i = 0; i < jobs; ++i) {
            protocol::Job job("Record");
            job.set_args_json("[" + HostRig::quoted(trace) + ",\"job-" + std::to_string(i) + "\"]");
            batch.push_back(job);
            if (batch.size() == 500) {
                BOOST_REQUIRE(producer.push_bulk(batch).empty());
                batch.clear();
            }
        }
        producer.end();
    }
    BOOST_REQUIRE(queued() == jobs);

    auto& host = rig.start_host();
    // Three restarts spread over the run; each one refuses the commands in flight and cuts every connection.
    for (const int threshold : {jobs / 6, jobs / 2, (jobs * 5) / 6}) {
        BOOST_REQUIRE_MESSAGE(eventually([&] { return processed() >= threshold; }, 30s), rig.diagnostics());
        server.restart(300ms);
    }
    BOOST_TEST(eventually([&] { return processed() >= jobs && working() == 0; }, 40s), rig.diagnostics());

    // Every job ACKed exactly once (processed counts only ACKs that found their reservation) and none failed.
    BOOST_TEST(processed() == jobs);
    BOOST_TEST(server.stats()->getValue<std::int64_t>("failed") == 0);
    BOOST_TEST(queued() == 0);
    // Every handler ran exactly once.
    std::map<std::string, int> runs;
    for (const auto& line : HostRig::lines(trace)) ++runs[line];
    BOOST_TEST(runs.size() == static_cast<std::size_t>(jobs));
    int twice = 0;
    for (const auto& [line, count] : runs)
        if (count != 1) ++twice;
    BOOST_TEST(twice == 0);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
    const auto output = host.output();
    BOOST_TEST(output.find("shutdown in progress") != std::string::npos);  // the refusals did happen
    std::size_t refused_results = 0;
    for (auto at = output.find("the server refused the "); at != std::string::npos;
         at = output.find("the server refused the ", at + 1))
        ++refused_results;
    BOOST_TEST_MESSAGE(std::to_string(refused_results) << " ACK/FAIL refusal(s) kept and sent again");
}

// Terminated while the server is down: the ACK it could not deliver is saved
// in the state dir, and the next start sends it before fetching anything, so
// the job is settled once instead of waiting out its reservation and running again.
BOOST_AUTO_TEST_CASE(a_result_undelivered_at_exit_is_saved_and_sent_first_by_the_next_start) {
    HostRig rig;
    auto& server = rig.server();
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    const auto gate = rig.path("gate");
    const auto trace = rig.path("trace");
    const auto results_file = rig.path("state") / "results.json";
    auto working = [&] { return server.stats()->getArray("working")->size(); };
    auto processed = [&] { return server.stats()->getValue<std::int64_t>("processed"); };

    auto& first = rig.start_host();
    const auto jid =
        rig.push("WaitForFile", "[" + HostRig::quoted(gate) + "," + HostRig::quoted(trace) + ",\"ran\"]");
    BOOST_REQUIRE_MESSAGE(eventually([&] { return working() == 1; }, 20s), rig.diagnostics());

    // The server goes down with the job reserved, and stays down until the host has exited.
    std::atomic<bool> host_exited{false};
    std::atomic<bool> server_down{false};
    std::thread outage([&] {
        server.begin_shutdown();
        server_down = true;
        while (!host_exited) std::this_thread::sleep_for(50ms);
        server.restart(0ms);  // back on the same port, the reservation kept
    });
    // Only once the shutdown has begun: a job finishing first would have its ACK taken.
    BOOST_REQUIRE(eventually([&] { return server_down.load(); }, 20s));
    std::ofstream(gate.string()) << "go";  // the job finishes while nothing can take its ACK
    BOOST_REQUIRE_MESSAGE(eventually([&] { return HostRig::lines(trace).size() == 1; }, 20s), rig.diagnostics());
    first.send(SIGTERM);
    const int first_exit = first.wait_for_exit(30s);
    host_exited = true;
    outage.join();
    BOOST_TEST_REQUIRE(first_exit == 0, first.output());
    BOOST_TEST(first.output().find("saved to " + results_file.string()) != std::string::npos, first.output());
    BOOST_TEST_REQUIRE(std::filesystem::exists(results_file));
    BOOST_TEST(working() == 1);  // still reserved: the ACK never arrived
    BOOST_TEST(processed() == 0);

    auto& second = rig.start_host();
    BOOST_TEST(eventually([&] { return processed() == 1 && working() == 0; }, 20s), rig.diagnostics());
    BOOST_TEST(HostRig::lines(trace).size() == 1);  // the handler did not run again
    second.send(SIGTERM);
    BOOST_TEST(second.wait_for_exit(15s) == 0, second.output());
    BOOST_TEST(second.output().find("go out before the first FETCH") != std::string::npos, second.output());
    BOOST_TEST(server.stats()->getValue<std::int64_t>("failed") == 0);
    (void)jid;
}
