// WorkerHost end to end, in process: the engine against the embedded dev
// server with a real fixture plugin (fixtures/worker_fixture_plugin.cpp).
// Every wait is for state the dev server or the host exposes, never a sleep.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "devserver/dev_server.hpp"
#include "host_under_test.hpp"
#include "logging/logging.hpp"
#include "support/eventually.hpp"
#include "protocol/client.hpp"
#include "protocol/errors.hpp"
#include "support/temp_dir.hpp"
#include "worker/fetch_window_hook.hpp"
#include "worker/worker_host.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using faktory_host::testing::eventually;
using faktory_host::testing::TempDir;
namespace config = faktory_host::config;
namespace devserver = faktory_host::devserver;
namespace protocol = faktory_host::protocol;
using faktory_host::worker::LifecycleState;
using faktory_host::worker::WorkerHost;

namespace {

Poco::JSON::Array::Ptr stats_array(const devserver::DevServer& server, const std::string& name) {
    auto array = server.stats()->getArray(name);
    return array ? array : Poco::JSON::Array::Ptr(new Poco::JSON::Array);
}

std::int64_t stats_count(const devserver::DevServer& server, const std::string& name) {
    return server.stats()->getValue<std::int64_t>(name);
}

// The `failure` record of the only job in the retry set, or null.
Poco::JSON::Object::Ptr only_retry_failure(const devserver::DevServer& server) {
    auto retries = stats_array(server, "retries");
    if (retries->size() != 1) return nullptr;
    return retries->getObject(0)->getObject("failure");
}

std::string worker_state(const devserver::DevServer& server, const std::string& wid) {
    auto workers = stats_array(server, "workers");
    for (std::size_t i = 0; i < workers->size(); ++i) {
        auto w = workers->getObject(static_cast<unsigned>(i));
        if (w->getValue<std::string>("wid") == wid) return w->getValue<std::string>("state");
    }
    return "";
}

std::int64_t worker_connections(const devserver::DevServer& server, const std::string& wid) {
    auto workers = stats_array(server, "workers");
    for (std::size_t i = 0; i < workers->size(); ++i) {
        auto w = workers->getObject(static_cast<unsigned>(i));
        if (w->getValue<std::string>("wid") == wid) return w->getValue<std::int64_t>("connections");
    }
    return 0;
}

// Distinct files mapped into this process whose name mentions `stem`: one per loaded plugin copy.
std::size_t mapped_copies(const std::string& stem) {
    std::ifstream maps("/proc/self/maps");
    std::set<std::string> files;
    for (std::string line; std::getline(maps, line);) {
        const auto slash = line.find('/');
        if (slash != std::string::npos && line.find(stem, slash) != std::string::npos) files.insert(line.substr(slash));
    }
    return files.size();
}

std::size_t line_count(const fs::path& file) {
    std::ifstream in(file);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines;
}

// True when `holds` stays true for all of `span`: for asserting that something does NOT happen.
template <typename Predicate>
bool stays(Predicate&& holds, std::chrono::milliseconds span) {
    return !eventually([&] { return !holds(); }, span);
}

// The dev server a test's engine talks to, started before the engine is built.
struct ServerUnderTest {
    std::unique_ptr<devserver::DevServer> owned_server;
    explicit ServerUnderTest(const std::string& password)
        : owned_server(std::make_unique<devserver::DevServer>(
              devserver::DevServerOptions{"127.0.0.1:0", "", password, "", ""})) {
        owned_server->start();
    }
};

struct Engine : ServerUnderTest, faktory_host::testing::HostUnderTest {
    devserver::DevServer& server;

    explicit Engine(const std::string& server_password = "")
        : ServerUnderTest(server_password), HostUnderTest(owned_server->url()), server(*owned_server) {
        config.worker.pools = {config::PoolConfig{"default", 2, config::QueueSelection{}}};
        config.worker.heartbeat_interval = 100ms;
    }

    // Starts the engine and waits until the server knows its worker.
    void start() {
        HostUnderTest::start();
        BOOST_REQUIRE(eventually([&] { return !worker_state(server, host->wid()).empty(); }));
    }

    int wait_for_exit() {
        runner.join();
        if (error) std::rethrow_exception(error);
        return exit_code;
    }

    std::string push(const std::string& jobtype, const std::string& args_json = "[]") {
        protocol::Client producer(connection);
        producer.connect();
        protocol::Job job(jobtype);
        job.set_args_json(args_json);
        producer.push(job);
        producer.end();
        return job.jid();
    }

    // Pushes a job built by the test (retry, reserve_for, ...); returns its jid.
    std::string push_job(const protocol::Job& job) {
        protocol::Client producer(connection);
        producer.connect();
        producer.push(job);
        producer.end();
        return job.jid();
    }

};



} // namespace

BOOST_AUTO_TEST_SUITE(worker_host)

BOOST_AUTO_TEST_CASE(jobs_are_processed_and_acked) {
    Engine engine;
    engine.start();
    BOOST_TEST(engine.host->state() == LifecycleState::running);
    for (int i = 0; i < 5; ++i) engine.push("Succeed");
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 5; }));
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
    BOOST_TEST(stats_array(engine.server, "working")->size() == 0u);
}

BOOST_AUTO_TEST_CASE(jobs_pushed_by_a_handler_are_enqueued_and_processed) {
    Engine engine;
    engine.start();
    engine.push("PushSucceed");  // its handler pushes one "Succeed" through HostServices::push
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 2; }));
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
}

BOOST_AUTO_TEST_CASE(unknown_jobtype_is_failed_naming_the_jobtype) {
    Engine engine;
    engine.start();
    engine.push("NoSuchJobtype");
    Poco::JSON::Object::Ptr failure;
    BOOST_TEST(eventually([&] { return (failure = only_retry_failure(engine.server)) != nullptr; }));
    BOOST_TEST(failure->getValue<std::string>("message").find("NoSuchJobtype") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(throwing_handler_is_failed_with_errtype_and_message) {
    Engine engine;
    engine.start();
    engine.push("Raise");
    Poco::JSON::Object::Ptr failure;
    BOOST_TEST(eventually([&] { return (failure = only_retry_failure(engine.server)) != nullptr; }));
    BOOST_TEST(failure->getValue<std::string>("errtype").find("runtime_error") != std::string::npos);
    BOOST_TEST(failure->getValue<std::string>("message") == "boom from Raise");
}

BOOST_AUTO_TEST_CASE(server_quiet_reloads_at_once_while_a_running_job_finishes_under_the_old_wid) {
    Engine engine;
    engine.start();
    const auto old_wid = engine.host->wid();
    const auto release = engine.dir / "release";
    const auto runs = engine.dir / "runs";
    engine.push("WaitForFile", "[" + engine.quoted(release) + "," + engine.quoted(runs) + "]");
    BOOST_REQUIRE(eventually([&] { return line_count(runs) == 1; }));

    BOOST_REQUIRE(engine.server.quiet(old_wid));
    // No drain: the new wid comes while the job still runs...
    BOOST_TEST(eventually([&] { return engine.host->wid() != old_wid; }));
    const auto new_wid = engine.host->wid();
    BOOST_TEST(eventually([&] { return worker_state(engine.server, new_wid) == "running"; }));
    BOOST_TEST(engine.host->describe_busy().find("jobtype=WaitForFile") != std::string::npos);
    // ...the idle processor serves under it meanwhile...
    for (int i = 0; i < 3; ++i) engine.push("Succeed");
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 3; }));
    // ...and the busy one keeps the old wid's connection until its job is done.
    BOOST_TEST(!worker_state(engine.server, old_wid).empty());

    std::ofstream(release.string()) << "go\n";
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 4; }));
    BOOST_TEST(eventually([&] { return worker_state(engine.server, old_wid).empty(); }));  // its last connection ENDed
    BOOST_TEST(engine.host->state() == LifecycleState::running);
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
    BOOST_TEST(line_count(runs) == 1u);
}

BOOST_AUTO_TEST_CASE(no_fetch_goes_out_under_a_wid_that_a_reload_replaced_in_the_fetch_window) {
    // The processor is held between "I have my connection" and "may I fetch?"
    // while a whole reload happens; afterwards it must move to the new wid
    // before fetching, not fetch under the old one.
    std::atomic<bool> armed{true};
    std::atomic<bool> holding{false};
    std::atomic<bool> released{false};
    faktory_host::worker::fetch_window_hook = [&](const std::string&) {
        if (!armed.exchange(false)) return;
        holding = true;
        const auto until = std::chrono::steady_clock::now() + 20s;
        while (!released && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
    };
    struct Unhook {
        ~Unhook() { faktory_host::worker::fetch_window_hook = nullptr; }
    } unhook;
    Engine engine;
    engine.config.worker.pools.front().concurrency = 1;
    engine.start();
    const auto old_wid = engine.host->wid();
    BOOST_REQUIRE(eventually([&] { return holding.load(); }));

    engine.host->request_reload();
    BOOST_REQUIRE(eventually([&] { return engine.host->wid() != old_wid; }));
    BOOST_REQUIRE(eventually([&] { return engine.host->state() == LifecycleState::running; }));
    const auto release = engine.dir / "release";
    const auto runs = engine.dir / "runs";
    engine.push("WaitForFile", "[" + engine.quoted(release) + "," + engine.quoted(runs) + "]");
    released = true;

    BOOST_REQUIRE(eventually([&] { return line_count(runs) == 1; }));
    // The job runs, and the old wid is gone: it was fetched under the new one.
    BOOST_TEST(worker_state(engine.server, old_wid).empty());
    BOOST_TEST(worker_state(engine.server, engine.host->wid()) == "running");
    std::ofstream(release.string()) << "go\n";
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 1; }));
}

BOOST_AUTO_TEST_CASE(twenty_reloads_under_load_lose_nothing_fail_nothing_run_nothing_twice) {
    Engine engine;
    engine.config.worker.pools.front().concurrency = 4;
    engine.start();
    const auto release = engine.dir / "release";
    std::ofstream(release.string()) << "go\n";  // WaitForFile returns at once: a short job that records its jid
    const auto runs = engine.dir / "runs";
    const auto args = "[" + engine.quoted(release) + "," + engine.quoted(runs) + "]";

    protocol::Client producer(engine.connection);
    producer.connect();
    std::atomic<bool> stop{false};
    std::atomic<int> pushed{0};
    std::thread feeder([&] {
        while (!stop) {
            protocol::Job job("WaitForFile");
            job.set_args_json(args);
            producer.push(job);
            ++pushed;
            std::this_thread::sleep_for(2ms);
        }
    });
    std::vector<std::string> wids{engine.host->wid()};
    for (int i = 0; i < 20; ++i) {
        engine.host->request_reload();
        const bool moved = eventually([&] { return engine.host->wid() != wids.back(); }, 5s);
        BOOST_REQUIRE_MESSAGE(moved, "reload " << i + 1 << " did not happen");
        wids.push_back(engine.host->wid());
    }
    stop = true;
    feeder.join();
    producer.end();

    const auto total = pushed.load();
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == total; }, 20s),
               stats_count(engine.server, "processed") << " of " << total);
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
    BOOST_TEST(stats_array(engine.server, "working")->size() == 0u);
    std::ifstream in(runs);
    std::set<std::string> jids;
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines) jids.insert(line);
    BOOST_TEST(lines == static_cast<std::size_t>(total));  // each ran once
    BOOST_TEST(jids.size() == lines);
    // Every retired wid ended with its last connection; only the last one is left.
    BOOST_TEST(eventually([&] { return stats_array(engine.server, "workers")->size() == 1; }));
    BOOST_TEST(worker_state(engine.server, wids.back()) == "running");
    // And no finished generation stays mapped: only the serving one's copy.
    BOOST_TEST(eventually([&] { return mapped_copies("worker_fixture_plugin") == 1u; }),
               mapped_copies("worker_fixture_plugin") << " copies mapped");
}

BOOST_AUTO_TEST_CASE(a_reload_rereads_the_configuration_and_keeps_restart_only_keys) {
    Engine engine;
    auto reread = engine.config;
    reread.worker.job_timeout["WaitForFile"] = 200ms;  // reloadable: takes effect
    reread.worker.pools.front().concurrency = 7;       // needs a restart: kept at 2
    std::atomic<int> applied{0};
    engine.host = std::make_unique<WorkerHost>(engine.config, engine.connection);
    engine.host->set_config_source({[&] { return reread; }, [&](const config::Config&) { ++applied; }});
    engine.runner = std::thread([&] { engine.exit_code = engine.host->run(); });
    BOOST_REQUIRE(eventually([&] { return !worker_state(engine.server, engine.host->wid()).empty(); }));
    const auto old_wid = engine.host->wid();

    engine.host->request_reload();
    BOOST_REQUIRE(eventually([&] { return engine.host->wid() != old_wid && applied == 1; }));
    engine.push("WaitForFile", "[" + engine.quoted(engine.dir / "never") + "," + engine.quoted(engine.dir / "runs") + "]");
    Poco::JSON::Object::Ptr failure;
    BOOST_TEST(eventually([&] { return (failure = only_retry_failure(engine.server)) != nullptr; }));
    BOOST_TEST(failure->getValue<std::string>("errtype") == "JobTimeout");
    // Still two processors: two consumer connections plus the heartbeat's under the new wid.
    BOOST_TEST(eventually([&] { return worker_connections(engine.server, engine.host->wid()) == 3; }));
}

BOOST_AUTO_TEST_CASE(a_configuration_that_no_longer_reads_keeps_the_running_one_and_still_reloads) {
    Engine engine;
    engine.host = std::make_unique<WorkerHost>(engine.config, engine.connection);
    engine.host->set_config_source(
        {[]() -> config::Config { throw config::ConfigError("faktory-host.yaml:3:7: worker.concurrency: not a number"); },
         [](const config::Config&) { BOOST_ERROR("a configuration that did not read was applied"); }});
    engine.runner = std::thread([&] { engine.exit_code = engine.host->run(); });
    BOOST_REQUIRE(eventually([&] { return !worker_state(engine.server, engine.host->wid()).empty(); }));
    const auto old_wid = engine.host->wid();
    engine.host->request_reload();
    BOOST_TEST(eventually([&] { return engine.host->wid() != old_wid; }));
    engine.push("Succeed");
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 1; }));
}

BOOST_AUTO_TEST_CASE(reloads_start_at_most_once_per_second) {
    Engine engine;
    engine.start();
    const auto first = engine.host->wid();
    engine.host->request_reload();
    BOOST_REQUIRE(eventually([&] { return engine.host->wid() != first; }));
    const auto second = engine.host->wid();
    const auto asked = std::chrono::steady_clock::now();
    engine.host->request_reload();  // within the second: waits its turn, is not dropped
    BOOST_REQUIRE(eventually([&] { return engine.host->wid() != second; }, 5s));
    BOOST_TEST((std::chrono::steady_clock::now() - asked >= 500ms));
}

BOOST_AUTO_TEST_CASE(a_reload_asked_for_while_quiet_is_refused) {
    Engine engine;
    engine.start();
    const auto wid = engine.host->wid();
    engine.host->request_quiet();
    BOOST_REQUIRE(eventually([&] { return engine.host->state() == LifecycleState::quiet; }));
    engine.host->request_reload();
    BOOST_TEST(stays([&] { return engine.host->wid() == wid && engine.host->state() == LifecycleState::quiet; },
                     1500ms));
}

BOOST_AUTO_TEST_CASE(a_reload_that_loads_with_errors_keeps_the_previous_generation) {
    Engine engine;
    engine.start();
    const auto old_wid = engine.host->wid();
    // The next generation would have no fixture plugin and one broken file.
    for (const auto& entry : fs::directory_iterator(engine.dir / "plugins")) fs::remove(entry.path());
    std::ofstream((engine.dir / "plugins" / "broken.so").string()) << "not an ELF file";

    engine.host->request_reload();
    BOOST_TEST(eventually([&] { return engine.host->wid() != old_wid; }));
    BOOST_TEST(eventually([&] { return engine.host->state() == LifecycleState::running; }));
    engine.push("Succeed");  // still handled: the old generation kept serving
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 1; }));
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
}

BOOST_AUTO_TEST_CASE(quiet_with_on_quiet_stay_stops_fetching_for_good) {
    Engine engine;
    engine.config.worker.on_quiet = config::WorkerConfig::OnQuiet::stay;
    engine.start();
    const auto wid = engine.host->wid();
    BOOST_REQUIRE(engine.server.quiet(wid));
    BOOST_TEST(eventually([&] { return engine.host->state() == LifecycleState::quiet; }));
    // A FETCH already blocked server-side when the quiet came may still hand out a job for up to 2 s;
    // after that nothing may be fetched any more.
    BOOST_TEST(stays([&] { return engine.host->state() == LifecycleState::quiet; }, 2500ms));
    engine.push("Succeed");
    // A FETCH blocks at most 2 s server-side, so a job still queued 2.5 s later was never fetched.
    BOOST_TEST(stays([&] { return stats_count(engine.server, "processed") == 0; }, 2500ms));
    BOOST_TEST(worker_state(engine.server, wid) == "quiet");
    BOOST_TEST(engine.host->wid() == wid);
    engine.host->request_terminate();
    BOOST_TEST(engine.wait_for_exit() == 0);
    BOOST_TEST(stats_count(engine.server, "processed") == 0);
}

BOOST_AUTO_TEST_CASE(server_terminate_makes_run_return_zero) {
    Engine engine;
    engine.start();
    BOOST_REQUIRE(engine.server.terminate(engine.host->wid()));
    BOOST_TEST(eventually([&] { return engine.exit_code.load() != -1; }));
    BOOST_TEST(engine.wait_for_exit() == 0);
    BOOST_TEST(engine.host->state() == LifecycleState::stopped);
    BOOST_TEST(eventually([&] { return stats_array(engine.server, "workers")->size() == 0; }));  // all ENDed
}

BOOST_AUTO_TEST_CASE(a_job_outliving_the_shutdown_timeout_is_failed_as_shutdown) {
    Engine engine;
    engine.config.worker.shutdown_timeout = 300ms;
    engine.start();
    const auto runs = engine.dir / "runs";
    engine.push("WaitForFile", "[" + engine.quoted(engine.dir / "never") + "," + engine.quoted(runs) + "]");
    BOOST_REQUIRE(eventually([&] { return line_count(runs) == 1; }));

    const auto ordered = std::chrono::steady_clock::now();
    engine.host->request_terminate();
    BOOST_TEST(engine.wait_for_exit() == 0);
    const auto took = std::chrono::steady_clock::now() - ordered;
    BOOST_TEST((took < 10s));
    auto failure = only_retry_failure(engine.server);
    BOOST_REQUIRE(failure);
    BOOST_TEST(failure->getValue<std::string>("errtype") == "Shutdown");
    BOOST_TEST(failure->getValue<std::string>("message").find("shutting down") != std::string::npos);
    // The handler saw cancelled() and returned, but its late result was not sent a second time.
    BOOST_TEST(stats_count(engine.server, "processed") == 1);
    BOOST_TEST(stats_count(engine.server, "failed") == 1);
}

// At terminate, a running job without a retry left must not be FAILed: for retry 0 a FAIL
// discards it, for retry -1 it buries it in the dead set. It goes back to its queue instead.
void a_job_without_retries_interrupted_by_the_shutdown_goes_back_to_its_queue(int retry) {
    Engine engine;
    engine.config.worker.shutdown_timeout = 300ms;
    engine.start();
    const auto runs = engine.dir / "runs";
    protocol::Job job("WaitForFile");
    job.set_args_json("[" + engine.quoted(engine.dir / "never") + "," + engine.quoted(runs) + "]");
    job.set_retry(retry);
    const auto jid = engine.push_job(job);
    BOOST_REQUIRE(eventually([&] { return line_count(runs) == 1; }));

    engine.host->request_terminate();
    BOOST_TEST(engine.wait_for_exit() == 0);
    BOOST_TEST(stats_array(engine.server, "dead")->size() == 0u);
    BOOST_TEST(stats_array(engine.server, "retries")->size() == 0u);
    BOOST_TEST(stats_array(engine.server, "working")->size() == 0u);
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
    BOOST_TEST_REQUIRE(engine.server.stats()->getObject("queues")->optValue<std::int64_t>("default", 0) == 1);

    // The same job, unchanged, is what a worker fetches next.
    protocol::Client consumer(engine.connection);
    consumer.connect();
    const auto fetched = consumer.fetch({"default"});
    BOOST_TEST_REQUIRE(fetched.has_value());
    BOOST_TEST(fetched->jid() == jid);
    BOOST_TEST(fetched->retry().value_or(99) == retry);
    BOOST_TEST(fetched->args_json() == job.args_json());
    BOOST_TEST(fetched->jobtype() == "WaitForFile");
    consumer.ack(jid);
    consumer.end();
}

BOOST_AUTO_TEST_CASE(a_retry_0_job_interrupted_by_the_shutdown_is_given_back_not_discarded) {
    a_job_without_retries_interrupted_by_the_shutdown_goes_back_to_its_queue(0);
}

BOOST_AUTO_TEST_CASE(a_retry_minus_1_job_interrupted_by_the_shutdown_is_given_back_not_buried) {
    a_job_without_retries_interrupted_by_the_shutdown_goes_back_to_its_queue(-1);
}

BOOST_AUTO_TEST_CASE(a_job_outliving_its_reservation_is_failed_first_and_never_runs_twice_at_once) {
    Engine engine;
    // reserve_for 60 s (Faktory's least) less a 59.5 s margin: the host must cut the job at 500 ms.
    engine.config.worker.reservation_margin = 59500ms;
    engine.start();
    const auto log = engine.dir / "runs";
    protocol::Job job("WaitLogged");
    job.set_args_json("[" + engine.quoted(engine.dir / "never") + "," + engine.quoted(log) + "]");
    job.set_reserve_for(60);
    const auto jid = engine.push_job(job);

    Poco::JSON::Object::Ptr failure;
    BOOST_TEST_REQUIRE(eventually([&] { return (failure = only_retry_failure(engine.server)) != nullptr; }));
    BOOST_TEST(failure->getValue<std::string>("errtype") == "JobTimeout");
    const auto message = failure->getValue<std::string>("message");
    BOOST_TEST(message.find("reserve_for 60 s") != std::string::npos, message);
    BOOST_TEST(message.find("59500 ms safety margin") != std::string::npos, message);

    // The server's clock jumps 45 s: the first retry (due 15..44 s after the FAIL) comes due, while the
    // worker, beating every 100 ms, stays short of the 60 s after which it would be reaped. The second
    // run starts only after the first ended.
    engine.server.advance_time(std::chrono::seconds(45));
    BOOST_TEST_REQUIRE(eventually([&] { return line_count(log) >= 4; }));
    engine.host->request_terminate();
    BOOST_TEST(engine.wait_for_exit() == 0);
    std::ifstream in(log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    BOOST_TEST_REQUIRE(lines.size() >= 4u);
    for (std::size_t i = 0; i < lines.size(); ++i)
        BOOST_TEST(lines[i] == (i % 2 == 0 ? "start " : "end ") + jid, "line " << i);
    if (auto retry = only_retry_failure(engine.server))
        BOOST_TEST(retry->getValue<std::string>("errtype") != "ReservationExpired");
}

BOOST_AUTO_TEST_CASE(a_job_past_its_job_timeout_is_cancelled_and_failed_as_job_timeout) {
    Engine engine;
    engine.config.worker.job_timeout["WaitForFile"] = 200ms;
    engine.start();
    engine.push("WaitForFile", "[" + engine.quoted(engine.dir / "never") + "," + engine.quoted(engine.dir / "runs") + "]");
    Poco::JSON::Object::Ptr failure;
    BOOST_TEST(eventually([&] { return (failure = only_retry_failure(engine.server)) != nullptr; }));
    BOOST_TEST(failure->getValue<std::string>("errtype") == "JobTimeout");
    BOOST_TEST(failure->getValue<std::string>("message").find("200 ms") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_ack_lost_with_the_connection_is_resent_after_reconnecting_and_the_job_ran_once) {
    Engine engine;
    engine.start();
    const auto release = engine.dir / "release";
    const auto runs = engine.dir / "runs";
    engine.push("WaitForFile", "[" + engine.quoted(release) + "," + engine.quoted(runs) + "]");
    BOOST_REQUIRE(eventually([&] { return line_count(runs) == 1; }));

    engine.server.drop_all_connections();  // the processor's connection dies under the running handler
    std::ofstream(release.string()) << "go\n";
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 1; }));
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
    BOOST_TEST(stats_array(engine.server, "working")->size() == 0u);
    BOOST_TEST(line_count(runs) == 1u);
    // The engine is whole again afterwards.
    engine.push("Succeed");
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 2; }));
}

BOOST_AUTO_TEST_CASE(a_wrong_password_at_startup_makes_run_throw_instead_of_retrying) {
    Engine engine("s3cret");
    auto options = engine.connection;
    options.url.password = "wrong";
    WorkerHost host(engine.config, options);
    const auto started = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(host.run(), protocol::AuthenticationError);
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST((took < 5s));
}

BOOST_AUTO_TEST_CASE(a_missing_plugins_directory_makes_run_throw) {
    Engine engine;
    engine.config.plugins.dir = engine.dir / "no-such-dir";
    WorkerHost host(engine.config, engine.connection);
    BOOST_CHECK_THROW(host.run(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(terminate_before_run_makes_run_return_zero_at_once) {
    Engine engine;
    WorkerHost host(engine.config, engine.connection);
    host.request_terminate();
    BOOST_TEST(host.run() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
