// WorkerHost end to end, in process: the engine against the embedded dev
// server with a real fixture plugin (fixtures/worker_fixture_plugin.cpp).
// Every wait is for state the dev server or the host exposes, never a sleep.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "devserver/dev_server.hpp"
#include "host_under_test.hpp"
#include "ops/logging.hpp"
#include "support/eventually.hpp"
#include "protocol/client.hpp"
#include "protocol/errors.hpp"
#include "support/temp_dir.hpp"
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

BOOST_AUTO_TEST_CASE(server_quiet_drains_running_jobs_then_reloads_under_a_new_wid) {
    Engine engine;
    engine.start();
    const auto old_wid = engine.host->wid();
    const auto release = engine.dir / "release";
    const auto runs = engine.dir / "runs";
    engine.push("WaitForFile", "[" + engine.quoted(release) + "," + engine.quoted(runs) + "]");
    BOOST_REQUIRE(eventually([&] { return line_count(runs) == 1; }));

    BOOST_REQUIRE(engine.server.quiet(old_wid));
    BOOST_TEST(eventually([&] { return engine.host->state() == LifecycleState::draining; }));
    BOOST_TEST(engine.host->wid() == old_wid);  // the running job holds the reload back
    BOOST_TEST(engine.host->describe_busy().find("jobtype=WaitForFile") != std::string::npos);

    std::ofstream(release.string()) << "go\n";
    BOOST_TEST(eventually([&] { return engine.host->wid() != old_wid; }));
    const auto new_wid = engine.host->wid();
    BOOST_TEST(eventually([&] { return worker_state(engine.server, new_wid) == "running"; }));
    BOOST_TEST(eventually([&] { return worker_state(engine.server, old_wid).empty(); }));  // every old connection ENDed
    BOOST_TEST(engine.host->state() == LifecycleState::running);
    BOOST_TEST(stats_count(engine.server, "processed") == 1);

    engine.push("Succeed");
    BOOST_TEST(eventually([&] { return stats_count(engine.server, "processed") == 2; }));
    BOOST_TEST(stats_count(engine.server, "failed") == 0);
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
