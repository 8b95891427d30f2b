// The faktory-devserver executable: prints its ports, greets, exits 0 on SIGTERM.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include "dev_server_fixture.hpp"
#include "support/temp_dir.hpp"

using namespace faktory_host::devserver::test;

BOOST_AUTO_TEST_SUITE(devserver_binary)

BOOST_AUTO_TEST_CASE(binary_listens_on_free_ports_greets_and_exits_zero_on_sigterm) {
    const char* binary = std::getenv("FAKTORY_DEVSERVER_BIN");
    BOOST_REQUIRE_MESSAGE(binary != nullptr, "FAKTORY_DEVSERVER_BIN is not set");
    Poco::Pipe out;
    Poco::ProcessHandle child = Poco::Process::launch(
        binary, {"--bind", "127.0.0.1:0", "--control", "127.0.0.1:0"}, nullptr, &out, nullptr);
    Poco::PipeInputStream stream(out);
    std::string line;
    std::getline(stream, line);
    std::smatch m;
    if (!std::regex_search(line, m, std::regex(R"(work_port=(\d+) control_port=(\d+))"))) {
        ::kill(child.id(), SIGKILL);
        child.wait();
        BOOST_FAIL("no listening line, got: " + line);
    }
    const auto port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
    BOOST_TEST(std::stoi(m[2].str()) > 0);
    {
        RawConnection raw(port);
        BOOST_TEST(raw.read_line() == "+HI {\"v\":2}\r\n");
        raw.send("HELLO {\"v\":2}\r\n");
        BOOST_TEST(raw.read_line() == "+OK\r\n");
    }
    BOOST_REQUIRE(::kill(child.id(), SIGTERM) == 0);
    BOOST_TEST(child.wait() == 0);
}

namespace {

// A running faktory-devserver child and the work port it printed.
struct ServerProcess {
    explicit ServerProcess(std::vector<std::string> arguments) {
        const char* binary = std::getenv("FAKTORY_DEVSERVER_BIN");
        BOOST_REQUIRE_MESSAGE(binary != nullptr, "FAKTORY_DEVSERVER_BIN is not set");
        arguments.insert(arguments.end(), {"--bind", "127.0.0.1:0", "--control", ""});
        handle = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(binary, arguments, nullptr, &out, nullptr));
        Poco::PipeInputStream stream(out);
        std::string line;
        std::getline(stream, line);
        std::smatch m;
        if (!std::regex_search(line, m, std::regex(R"(work_port=(\d+))"))) {
            ::kill(handle->id(), SIGKILL);
            handle->wait();
            BOOST_FAIL("no listening line, got: " + line);
        }
        port = static_cast<std::uint16_t>(std::stoi(m[1].str()));
    }
    int terminate() {
        ::kill(handle->id(), SIGTERM);
        return handle->wait();
    }
    Poco::Pipe out;
    std::unique_ptr<Poco::ProcessHandle> handle;
    std::uint16_t port = 0;
};

} // namespace

BOOST_AUTO_TEST_CASE(state_file_carries_jobs_and_a_reservation_across_a_sigterm_and_a_new_start) {
    faktory_host::testing::TempDir dir;
    const std::string state = (dir / "state.json").string();
    {
        ServerProcess first({"--state-file", state});
        RawConnection raw(first.port);
        BOOST_REQUIRE(raw.handshake() == "+OK\r\n");
        raw.send(R"(PUSH {"jid":"kept-job-1","jobtype":"A","args":[]})" "\r\n");
        BOOST_REQUIRE(raw.read_line() == "+OK\r\n");
        raw.send(R"(PUSH {"jid":"kept-job-2","jobtype":"B","args":[]})" "\r\n");
        BOOST_REQUIRE(raw.read_line() == "+OK\r\n");
        raw.send("FETCH default\r\n");
        BOOST_REQUIRE(raw.read_reply().find("kept-job-1") != std::string::npos);
        BOOST_TEST(first.terminate() == 0);
        // The connection was closed by the shutdown.
        BOOST_TEST(raw.closed_by_server());
    }
    BOOST_REQUIRE(std::filesystem::exists(state));
    ServerProcess second({"--state-file", state});
    RawConnection raw(second.port);
    BOOST_REQUIRE(raw.handshake() == "+OK\r\n");
    raw.send("ACK {\"jid\":\"kept-job-1\"}\r\n");  // the reservation came back with the server
    BOOST_TEST(raw.read_line() == "+OK\r\n");
    raw.send("FETCH default\r\n");
    BOOST_TEST(raw.read_reply().find("kept-job-2") != std::string::npos);
    raw.send("INFO\r\n");
    const std::string info = raw.read_reply();
    BOOST_TEST(info.find("\"total_processed\":1") != std::string::npos, info);
    BOOST_TEST(second.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
