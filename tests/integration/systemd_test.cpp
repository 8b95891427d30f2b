// faktory-host under systemd's notify protocol, with a test-owned unix
// datagram socket standing in for systemd: READY=1 only once the server has
// been reached, WATCHDOG=1 pings at half WATCHDOG_USEC, STOPPING=1 on
// SIGTERM. And config/faktory-host.service passes `systemd-analyze verify`.
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostProcess;
using faktory_host::testing::HostRig;

namespace {

// A bound unix datagram socket collecting what the host sends.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    ~NotifySocket() { ::close(fd_); }

    // Reads every datagram waiting now (non-blocking) into messages().
    const std::vector<std::string>& drain() {
        char buffer[4096];
        for (ssize_t n; (n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT)) > 0;)
            messages_.emplace_back(buffer, static_cast<std::size_t>(n));
        return messages_;
    }
    std::size_t count_starting_with(const std::string& prefix) {
        std::size_t n = 0;
        for (const auto& m : drain()) n += m.rfind(prefix, 0) == 0;
        return n;
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::vector<std::string> messages_;
};

} // namespace

BOOST_AUTO_TEST_CASE(ready_comes_only_once_the_server_is_reached_then_watchdog_pings_and_stopping) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 1\n");
    NotifySocket notify(rig.path("notify.sock"));

    rig.server().refuse_connections_for(6s);  // not reachable at first (long enough for a slow start)
    HostProcess host({{"--config", rig.path("faktory-host.yaml").string()},
                      rig.path("host.log"),
                      {{"NOTIFY_SOCKET", rig.path("notify.sock").string()}, {"WATCHDOG_USEC", "400000"}},
                      {},
                      rig.dir()});
    // Watchdog pings flow while it waits for the server, but no READY.
    BOOST_REQUIRE_MESSAGE(eventually([&] { return notify.count_starting_with("WATCHDOG=1") >= 2; }, 2500ms),
                          host.output());
    BOOST_TEST(notify.count_starting_with("READY=1") == 0u, host.output());

    BOOST_REQUIRE_MESSAGE(eventually([&] { return notify.count_starting_with("READY=1") == 1; }, 20s),
                          host.output());
    BOOST_TEST(!rig.wait_for_worker().empty());
    std::string ready;
    for (const auto& m : notify.drain())
        if (m.rfind("READY=1", 0) == 0) ready = m;
    BOOST_TEST(ready.find("MAINPID=" + std::to_string(host.pid())) != std::string::npos, ready);

    const auto pings = notify.count_starting_with("WATCHDOG=1");
    BOOST_TEST(eventually([&] { return notify.count_starting_with("WATCHDOG=1") >= pings + 2; }, 3s));

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
    BOOST_TEST(notify.count_starting_with("STOPPING=1") == 1u);
    BOOST_TEST(notify.count_starting_with("READY=1") == 1u);
}

BOOST_AUTO_TEST_CASE(the_unit_file_passes_systemd_analyze_verify) {
    if (::access("/usr/bin/systemd-analyze", X_OK) != 0) {
        BOOST_TEST_MESSAGE("systemd-analyze is not installed: the unit file was not verified");
        return;
    }
    // verify wants ExecStart's binary to exist: check a copy pointing at the built one.
    HostRig rig;
    std::ifstream in(FAKTORY_SERVICE_FILE);
    std::string unit((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_REQUIRE(!unit.empty());
    for (std::size_t at; (at = unit.find("/usr/bin/faktory-host")) != std::string::npos;)
        unit.replace(at, std::strlen("/usr/bin/faktory-host"), HostProcess::binary().string());
    const auto copy = rig.path("faktory-host.service");
    std::ofstream(copy) << unit;

    Poco::Pipe out;
    auto handle = Poco::Process::launch("/usr/bin/systemd-analyze", {"verify", copy.string()}, nullptr, &out, &out);
    Poco::PipeInputStream stream(out);
    std::string output;
    Poco::StreamCopier::copyToString(stream, output);
    const int code = handle.wait();
    BOOST_TEST(code == 0, output);
    // verify also warns without failing; the unit must be clean of its own warnings.
    BOOST_TEST(output.find(copy.filename().string()) == std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(plugins_load_and_run_under_memory_deny_write_execute) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto job = rig.write_file("job.json", R"({"jid":"mdwe-1","jobtype":"Succeed","args":[]})");
    Poco::Pipe out;
    auto handle = Poco::Process::launch(
        MDWE_EXEC, {HostProcess::binary().string(), "run-job", "--plugins-dir", rig.plugins_dir().string(), "--job",
                    job.string()},
        nullptr, &out, &out);
    Poco::PipeInputStream stream(out);
    std::string output;
    Poco::StreamCopier::copyToString(stream, output);
    const int code = handle.wait();
    if (code == 77) {
        BOOST_TEST_MESSAGE("this kernel has no PR_SET_MDWE: MemoryDenyWriteExecute was not tried: " << output);
        return;
    }
    BOOST_TEST(code == 0, output);
    BOOST_TEST(output.find("ACK jid=mdwe-1 jobtype=Succeed") != std::string::npos, output);
}
