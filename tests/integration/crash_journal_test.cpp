// The crash journal, process level: a plugin that segfaults kills the real
// faktory-host with SIGSEGV, whose log names the plugin, jobtype and jid; the
// host started again on the same state dir FAILs that job as WorkerCrashed
// within seconds (not after its 30-minute reservation), and the retry
// succeeds. exit() in a handler and a segfault in a plugin's init or
// shutdown are named too, and a second host on a state dir in use is refused.
#include <sys/resource.h>

#include <csignal>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::HostProcess;
using faktory_host::testing::HostRig;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The hosts these tests crash on purpose need not dump core.
struct NoCoreDumps {
    NoCoreDumps() {
        const rlimit none{0, 0};
        ::setrlimit(RLIMIT_CORE, &none);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(NoCoreDumps);

// The rig's config plus a config block for the crash fixture.
void write_config(HostRig& rig, const std::string& plugin_block = "{}") {
    rig.write_file("faktory-host.yaml", "faktory:\n  url: " + rig.url() +
                                            "\n"
                                            "worker:\n  concurrency: 2\n  queues: [default]\n"
                                            "  heartbeat_interval: 5s\n  shutdown_timeout: 2s\n"
                                            "plugins:\n  dir: " +
                                            rig.plugins_dir().string() + "\n  config:\n    crash-fixture: " +
                                            plugin_block + "\n"
                                            "log:\n  level: debug\n");
}

// Connections the dev server still counts for the worker process `pid`.
std::int64_t open_connections_of(HostRig& rig, int pid) {
    std::int64_t open = 0;
    auto workers = rig.stats_array("workers");
    for (std::size_t i = 0; i < workers->size(); ++i) {
        auto worker = workers->getObject(static_cast<unsigned>(i));
        if (worker->getValue<int>("pid") == pid) open += worker->getValue<std::int64_t>("connections");
    }
    return open;
}

std::string started_host(HostRig& rig) {
    rig.start_host();
    const auto wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!wid.empty(), rig.diagnostics());
    return wid;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_segfaulting_job_kills_the_host_is_named_and_failed_as_workercrashed_at_the_next_start) {
    HostRig rig;
    rig.install_plugin(CRASH_FIXTURE, "crash_fixture.so");
    write_config(rig);
    started_host(rig);

    const auto marker = rig.path("crashed-once");
    const auto record = rig.path("record");
    const auto jid = rig.push("CrashOnce", "[" + HostRig::quoted(marker) + "," + HostRig::quoted(record) + "]");
    BOOST_TEST_REQUIRE(rig.host().wait_for_exit(20s) == 128 + SIGSEGV, rig.diagnostics());
    const auto first_log = rig.host().output();
    const auto first_pid = rig.host().pid();
    BOOST_TEST(contains(first_log, "FATAL"), first_log);
    BOOST_TEST(contains(first_log, "plugin \"crash-fixture\" crashed the process with SIGSEGV (invalid memory access) "
                                   "while running jobtype CrashOnce, jid " + jid),
               first_log);
    BOOST_TEST(rig.working(jid));  // without the journal it would stay reserved for 30 minutes

    // Same config, same state dir: the job is FAILed before anything else happens.
    const auto restarted = std::chrono::steady_clock::now();
    rig.start_host();
    Poco::JSON::Object::Ptr failure;
    BOOST_TEST_REQUIRE(eventually([&] { return (failure = rig.failure_of(jid)) != nullptr; }, 15s), rig.diagnostics());
    BOOST_TEST((std::chrono::steady_clock::now() - restarted < 15s));
    BOOST_TEST(failure->getValue<std::string>("errtype") == "WorkerCrashed");
    const auto message = failure->getValue<std::string>("message");
    BOOST_TEST(contains(message, "died of SIGSEGV"), message);
    BOOST_TEST(contains(message, "plugin \"crash-fixture\" (jobtype CrashOnce)"), message);
    BOOST_TEST(!rig.working(jid));
    BOOST_TEST(contains(rig.host().output(), "was running when the host process died; FAILing it as WorkerCrashed"),
               rig.host().output());

    // A FETCH the dead host left blocked (up to 2 s) would take the retry and lose it with the
    // socket, as Faktory's would: let the server notice the dead connections first.
    BOOST_TEST_REQUIRE(eventually([&] { return open_connections_of(rig, first_pid) == 0; }, 10s), rig.diagnostics());
    // Once the retry is due, it runs again and succeeds: the marker now exists.
    rig.server().advance_time(50s);  // the first retry waits 15..44 s; workers are reaped only after 60 s
    const std::vector<std::string> ran_once{"ran " + jid};
    BOOST_TEST_REQUIRE(eventually([&] { return HostRig::lines(record) == ran_once; }, 15s), rig.diagnostics());
    // Faktory counts a FAIL as processed too: the WorkerCrashed FAIL, then the ACK.
    BOOST_TEST_REQUIRE(eventually([&] { return rig.processed() == 2; }, 15s), rig.diagnostics());
    BOOST_TEST(rig.failure_of(jid) == nullptr);
    BOOST_TEST(!rig.working(jid));
    BOOST_TEST(!rig.host().exit_code().has_value());
}

BOOST_AUTO_TEST_CASE(exit_called_by_a_handler_is_named_in_the_log_and_the_job_failed_at_the_next_start) {
    HostRig rig;
    rig.install_plugin(CRASH_FIXTURE, "crash_fixture.so");
    write_config(rig);
    started_host(rig);
    const auto jid = rig.push("ExitThree");
    BOOST_TEST_REQUIRE(rig.host().wait_for_exit(20s) != HostProcess::still_running, rig.diagnostics());
    const auto first_log = rig.host().output();
    BOOST_TEST(contains(first_log, "plugin \"crash-fixture\" called exit(3) while running jobtype ExitThree, jid " + jid),
               first_log);

    rig.start_host();
    Poco::JSON::Object::Ptr failure;
    BOOST_TEST_REQUIRE(eventually([&] { return (failure = rig.failure_of(jid)) != nullptr; }, 15s), rig.diagnostics());
    BOOST_TEST(failure->getValue<std::string>("errtype") == "WorkerCrashed");
    BOOST_TEST(contains(failure->getValue<std::string>("message"), "called exit(3)"),
               failure->getValue<std::string>("message"));
}

BOOST_AUTO_TEST_CASE(a_segfault_in_a_plugins_init_names_the_plugin_and_init) {
    HostRig rig;
    rig.install_plugin(CRASH_FIXTURE, "crash_fixture.so");
    write_config(rig, "{ crash_in_init: true }");
    rig.start_host();
    BOOST_TEST_REQUIRE(rig.host().wait_for_exit(20s) == 128 + SIGSEGV, rig.diagnostics());
    BOOST_TEST(contains(rig.host().output(), "plugin \"crash-fixture\" crashed the process with SIGSEGV (invalid memory "
                                             "access) during its init"),
               rig.host().output());
}

BOOST_AUTO_TEST_CASE(a_segfault_in_a_plugins_shutdown_names_the_plugin_and_shutdown) {
    HostRig rig;
    rig.install_plugin(CRASH_FIXTURE, "crash_fixture.so");
    write_config(rig, "{ crash_in_shutdown: true }");
    started_host(rig);
    rig.host().send(SIGHUP);  // the reload unloads generation 1: its shutdown export runs
    BOOST_TEST_REQUIRE(rig.host().wait_for_exit(20s) == 128 + SIGSEGV, rig.diagnostics());
    BOOST_TEST(contains(rig.host().output(), "plugin \"crash-fixture\" crashed the process with SIGSEGV (invalid memory "
                                             "access) during its shutdown"),
               rig.host().output());
}

BOOST_AUTO_TEST_CASE(a_second_host_on_a_state_dir_in_use_refuses_to_start_naming_the_dir_and_the_holder) {
    HostRig rig;
    rig.install_plugin(CRASH_FIXTURE, "crash_fixture.so");
    write_config(rig);
    started_host(rig);
    HostProcess second(HostProcess::Options{{"--config", rig.path("faktory-host.yaml").string()},
                                            rig.path("second.log"), {}, {}, rig.dir()});
    BOOST_TEST_REQUIRE(second.wait_for_exit(20s) == 1, second.output());
    BOOST_TEST(contains(second.output(), "state directory " + rig.path("state").string() +
                                             " (worker.state_dir) is in use by another faktory-host (pid " +
                                             std::to_string(rig.host().pid()) + ")"),
               second.output());
    BOOST_TEST(!rig.host().exit_code().has_value());  // the first host is untouched
}

// check and run-job run plugin code without the engine; a crash there is named too.
BOOST_AUTO_TEST_CASE(check_and_run_job_name_the_plugin_that_crashes_them) {
    HostRig rig;
    rig.install_plugin(CRASH_FIXTURE, "crash_fixture.so");
    const auto config = rig.path("faktory-host.yaml").string();

    write_config(rig, "{ crash_in_init: true }");
    const auto check = rig.run_command({"check", "--config", config});
    BOOST_TEST(check.exit_code == 128 + SIGSEGV, check.output);
    BOOST_TEST(contains(check.output, "plugin \"crash-fixture\" crashed the process with SIGSEGV (invalid memory "
                                      "access) during its init"),
               check.output);

    write_config(rig);
    const auto job = rig.write_file("job.json", "{\"jid\":\"crashing-job-1\",\"jobtype\":\"CrashOnce\",\"args\":[" +
                                                    HostRig::quoted(rig.path("marker")) + "," +
                                                    HostRig::quoted(rig.path("record")) + "]}");
    const auto run_job = rig.run_command({"run-job", "--config", config, "--job", job.string()});
    BOOST_TEST(run_job.exit_code == 128 + SIGSEGV, run_job.output);
    BOOST_TEST(contains(run_job.output, "plugin \"crash-fixture\" crashed the process with SIGSEGV (invalid memory "
                                        "access) while running jobtype CrashOnce, jid crashing-job-1"),
               run_job.output);
}
