// The faktory-devserver executable: prints its ports, greets, exits 0 on SIGTERM.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <regex>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include "dev_server_fixture.hpp"

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

BOOST_AUTO_TEST_SUITE_END()
