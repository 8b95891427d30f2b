// Client TLS is the faktory-host-tls.so module, loaded only for tcp+tls://
// URLs: a host on plain tcp:// maps none of the TLS libraries (the footprint
// target of issue 10), a host on tcp+tls:// loads the module and works end to
// end, and a host installed without its module says so (--version, and a
// connection error naming the module's path) instead of crashing.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "devserver/dev_server.hpp"
#include "harness/host_process.hpp"
#include "harness/host_rig.hpp"
#include "protocol/client.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostProcess;
using faktory_host::testing::HostRig;
using faktory_host::testing::TempDir;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string read_file(const fs::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The libraries only TLS needs; none may be mapped by a host that does not use TLS.
const char* const tls_only_libraries[] = {"faktory-host-tls.so", "libPocoNetSSL", "libPocoCrypto", "libPocoUtil",
                                          "libPocoXML", "libssl.so", "libcrypto.so"};

std::string maps_of(pid_t pid) { return read_file("/proc/" + std::to_string(pid) + "/maps"); }

// A self-signed certificate for localhost / 127.0.0.1, made with the openssl CLI.
void make_certificate(const TempDir& dir) {
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1"
                                " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
                                (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() +
                                "' >/dev/null 2>&1";
    BOOST_REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "openssl could not make a test certificate");
}

// Runs `binary <arguments>` (words without quotes) to completion; its exit code and output.
faktory_host::testing::Finished run(const fs::path& binary, const std::string& arguments, const TempDir& dir) {
    const auto output = dir / "command.log";
    const std::string command =
        "timeout 30 '" + binary.string() + "' " + arguments + " >'" + output.string() + "' 2>&1 </dev/null";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(output)};
}

// A copy of faktory-host in <dir>/bin, as an install without lib/faktory-host/ would have it.
fs::path copied_host(const TempDir& dir) {
    fs::create_directories(dir / "bin");
    const auto host = dir / "bin" / "faktory-host";
    fs::copy_file(HostProcess::binary(), host);
    fs::permissions(host, fs::perms::owner_all, fs::perm_options::replace);
    return host;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_host_on_plain_tcp_runs_jobs_without_mapping_any_tls_library) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config("  concurrency: 2\n  queues: [default]\n");
    auto& host = rig.start_host();
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());
    rig.push("Succeed");
    BOOST_REQUIRE_MESSAGE(eventually([&] { return rig.processed() == 1; }), rig.diagnostics());
    const auto maps = maps_of(host.pid());
    for (const auto* library : tls_only_libraries) BOOST_TEST(!contains(maps, library), library << " in:\n" << maps);
    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(a_host_on_tcp_tls_loads_the_module_and_pushes_and_runs_jobs) {
    TempDir dir;
    make_certificate(dir);
    faktory_host::devserver::DevServer server(
        {"127.0.0.1:0", "", "", (dir / "cert.pem").string(), (dir / "key.pem").string()});
    server.start();
    fs::create_directory(dir / "plugins");
    fs::permissions(dir / "plugins", fs::perms::owner_all, fs::perm_options::replace);
    fs::copy_file(fixture_plugin("v1"), dir / "plugins" / "host_fixture.so");
    const auto config = dir / "faktory-host.yaml";
    std::ofstream(config) << "faktory:\n  url: " << server.url() << "\n  tls:\n    ca_file: " << (dir / "cert.pem").string()
                          << "\nworker:\n  concurrency: 2\n  queues: [default]\n  shutdown_timeout: 2s\n"
                          << "plugins:\n  dir: " << (dir / "plugins").string() << "\n";

    HostProcess host({{"--config", config.string()}, dir / "host.log", {}, {}, dir.path()});
    // `push` is the host binary too: its TLS connection goes through the module as well.
    const auto pushed = run(HostProcess::binary(), "push --config '" + config.string() + "' --type Succeed", dir);
    BOOST_TEST(pushed.exit_code == 0, pushed.output);
    BOOST_TEST_REQUIRE(eventually([&] { return server.stats()->getValue<std::int64_t>("processed") == 1; }),
                       host.output());
    const auto maps = maps_of(host.pid());
    BOOST_TEST(contains(maps, "faktory-host-tls.so"), maps);
    BOOST_TEST(contains(maps, "libPocoNetSSL"), maps);
    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(a_host_installed_without_its_module_says_so_and_fails_tls_urls_naming_the_path) {
    TempDir dir;
    const auto host = copied_host(dir);
    const auto module = (dir / "lib" / "faktory-host" / "faktory-host-tls.so").lexically_normal();

    const auto version = run(host, "--version", dir);
    BOOST_TEST(version.exit_code == 0, version.output);
    BOOST_TEST(contains(version.output, "OpenSSL     TLS module not found (cannot load the TLS module " +
                                            module.string() + ": "),
               version.output);

    std::ofstream(dir / "tls.yaml") << "faktory:\n  url: tcp+tls://127.0.0.1:1\n";
    const auto pushed = run(host, "push --config '" + (dir / "tls.yaml").string() + "' --type A", dir);
    BOOST_TEST(pushed.exit_code == 1, pushed.output);
    BOOST_TEST(contains(pushed.output, "cannot connect to Faktory server tcp+tls://127.0.0.1:1: cannot load the TLS "
                                       "module " + module.string() + ": " + module.string() +
                                       ": cannot open shared object file"),
               pushed.output);
}

BOOST_AUTO_TEST_CASE(a_host_finds_its_module_relative_to_where_it_is_installed_and_refuses_a_broken_one) {
    TempDir dir;
    const auto host = copied_host(dir);
    const auto module = (dir / "lib" / "faktory-host" / "faktory-host-tls.so").lexically_normal();
    fs::create_directories(module.parent_path());

    std::ofstream(module) << "not a shared library " << std::string(512, 'x') << "\n";  // longer than an ELF header
    const auto broken = run(host, "--version", dir);
    BOOST_TEST(broken.exit_code == 0, broken.output);
    BOOST_TEST(contains(broken.output, "TLS module not found (cannot load the TLS module " + module.string()),
               broken.output);
    BOOST_TEST(contains(broken.output, "invalid ELF header"), broken.output);

    fs::remove(module);
    fs::copy_file(HostProcess::binary().parent_path() / ".." / "lib" / "faktory-host" / "faktory-host-tls.so", module);
    const auto working = run(host, "--version", dir);
    BOOST_TEST(working.exit_code == 0, working.output);
    BOOST_TEST(contains(working.output, "OpenSSL     OpenSSL "), working.output);
}
