// The process's signals and terminate orders: SIGTSTP (quiet for good),
// SIGTERM and SIGINT (orderly exit 0), SIGTTIN (running jobs logged), a job
// that outlives shutdown_timeout (FAILed, process still gone within 30 s),
// and terminate from the server's BEAT reply.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

namespace {

// True when `holds` stays true for all of `span`: for asserting that something does NOT happen.
template <typename Predicate>
bool stays(Predicate&& holds, std::chrono::milliseconds span) {
    return !eventually([&] { return !holds(); }, span);
}

struct RunningHost {
    HostRig rig;
    std::string wid;
    faktory_host::testing::HostProcess* host = nullptr;

    RunningHost() {
        rig.install_plugin(fixture_plugin("v1"));
        rig.write_config();
        host = &rig.start_host();
        wid = rig.wait_for_worker();
        BOOST_REQUIRE_MESSAGE(!wid.empty(), rig.diagnostics());
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(sigtstp_quiets_the_worker_for_good_it_beats_quiet_and_fetches_nothing) {
    RunningHost r;
    r.host->send(SIGTSTP);
    // The dev server learns it from BEAT's current_state; the host told nobody else.
    BOOST_REQUIRE_MESSAGE(eventually([&] { return r.rig.worker_state(r.wid) == "quiet"; }, 15s), r.rig.diagnostics());
    // A FETCH already blocked server-side when the quiet came (the first BEAT can
    // carry it within milliseconds) may still hand out a job for up to 2 s.
    BOOST_TEST(stays([&] { return r.rig.worker_state(r.wid) == "quiet"; }, 2500ms));
    r.rig.push("Succeed");
    BOOST_TEST(stays([&] { return r.rig.queue_size("default") == 1; }, 3s), r.rig.diagnostics());
    BOOST_TEST(!r.host->exit_code().has_value());
    BOOST_TEST(r.rig.worker_state(r.wid) == "quiet");

    r.host->send(SIGTERM);
    BOOST_TEST(r.host->wait_for_exit(15s) == 0, r.host->output());
    BOOST_TEST(r.rig.queue_size("default") == 1);  // left for another worker
}

BOOST_AUTO_TEST_CASE(sigterm_and_sigint_each_end_the_worker_and_exit_0_within_seconds) {
    for (int signal : {SIGTERM, SIGINT}) {
        RunningHost r;
        r.rig.push("Succeed");
        BOOST_REQUIRE(eventually([&] { return r.rig.processed() == 1; }));
        const auto sent = std::chrono::steady_clock::now();
        r.host->send(signal);
        BOOST_TEST(r.host->wait_for_exit(15s) == 0, r.host->output());
        BOOST_TEST((std::chrono::steady_clock::now() - sent < 10s));
        BOOST_TEST(eventually([&] { return r.rig.worker_state(r.wid).empty(); }), r.rig.diagnostics());
    }
}

BOOST_AUTO_TEST_CASE(sigttin_logs_each_running_job_with_its_jid) {
    RunningHost r;
    const auto gate = r.rig.path("gate");
    const auto jid = r.rig.push("WaitForFile", "[" + HostRig::quoted(gate) + "," +
                                                   HostRig::quoted(r.rig.path("trace")) + ",\"x\"]");
    BOOST_REQUIRE(eventually([&] { return r.rig.working(jid); }));
    r.host->send(SIGTTIN);
    BOOST_TEST(eventually([&] { return r.host->output().find(jid) != std::string::npos; }), r.host->output());
    BOOST_TEST(!r.host->exit_code().has_value());  // SIGTTIN does not stop a process that handles it

    std::ofstream(gate.string()) << "go";
    BOOST_TEST(eventually([&] { return r.rig.processed() == 1; }));
    r.host->send(SIGTERM);
    BOOST_TEST(r.host->wait_for_exit(15s) == 0, r.host->output());
}

BOOST_AUTO_TEST_CASE(terminate_fails_a_job_that_outlives_shutdown_timeout_and_the_process_exits_within_30s) {
    RunningHost r;
    // Hang ignores cancellation for two minutes. Wait until its handler runs:
    // a job only reserved when SIGTERM lands is given back, not FAILed.
    const auto started = r.rig.path("started");
    const auto jid = r.rig.push("Hang", "[" + HostRig::quoted(started) + "]");
    BOOST_REQUIRE(eventually([&] { return std::filesystem::exists(started); }));
    const auto sent = std::chrono::steady_clock::now();
    r.host->send(SIGTERM);
    BOOST_TEST(r.host->wait_for_exit(30s) == 0, r.host->output());
    BOOST_TEST((std::chrono::steady_clock::now() - sent < 30s));
    const auto failure = r.rig.failure_of(jid);
    BOOST_REQUIRE_MESSAGE(failure, r.rig.diagnostics());
    BOOST_TEST(failure->getValue<std::string>("errtype") == "Shutdown");
}

BOOST_AUTO_TEST_CASE(terminate_from_the_servers_beat_reply_exits_0) {
    RunningHost r;
    BOOST_TEST(r.rig.control(r.wid, "terminate") == 200);
    BOOST_TEST(r.host->wait_for_exit(20s) == 0, r.host->output());
}
