// The dev server's handshake: exact greeting, password proof, 2 s limit,
// HELLO first, and TLS on the work port.
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <regex>

#include "dev_server_fixture.hpp"
#include "protocol/errors.hpp"
#include "protocol/password_hash.hpp"
#include "support/temp_dir.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;
namespace protocol = faktory_host::protocol;
using Clock = std::chrono::steady_clock;

BOOST_AUTO_TEST_SUITE(devserver_handshake)

BOOST_AUTO_TEST_CASE(greets_with_exact_hi_bytes_without_password) {
    StartedServer s;
    RawConnection raw(s.server.port());
    BOOST_TEST(raw.read_line() == "+HI {\"v\":2}\r\n");
}

BOOST_AUTO_TEST_CASE(a_second_server_on_a_port_in_use_fails_to_start) {
    StartedServer s;
    DevServer second(DevServerOptions{"127.0.0.1:" + std::to_string(s.server.port()), "", "", "", ""});
    BOOST_CHECK_THROW(second.start(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(producer_hello_gets_ok_and_client_connects) {
    StartedServer s;
    RawConnection raw(s.server.port());
    BOOST_TEST(raw.handshake() == "+OK\r\n");
    auto client = s.client();
    BOOST_TEST(client->connected());
}

BOOST_AUTO_TEST_CASE(password_greeting_carries_iterations_and_salt) {
    auto options = ephemeral_options();
    options.password = "s3cret";
    StartedServer s(options);
    RawConnection raw(s.server.port());
    const std::string hi = raw.read_line();
    std::smatch m;
    BOOST_REQUIRE(std::regex_match(hi, m, std::regex(R"re(\+HI \{"v":2,"i":(\d+),"s":"([0-9a-f]+)"\}\r\n)re")));
    const int iterations = std::stoi(m[1].str());
    BOOST_TEST(iterations >= 4000);
    BOOST_TEST(iterations <= 8100);
    const std::string hash = protocol::password_hash("s3cret", m[2].str(), iterations);
    raw.send("HELLO {\"v\":2,\"pwdhash\":\"" + hash + "\"}\r\n");
    BOOST_TEST(raw.read_line() == "+OK\r\n");
}

BOOST_AUTO_TEST_CASE(right_password_lets_the_client_in) {
    auto options = ephemeral_options();
    options.password = "s3cr3t pässword";
    StartedServer s(options);
    auto client = s.client(std::nullopt, "s3cr3t pässword");
    client->push(job("Ok"));
    BOOST_TEST(client->info().total_enqueued == 1);
}

BOOST_AUTO_TEST_CASE(wrong_password_is_refused_with_invalid_password_then_closed) {
    auto options = ephemeral_options();
    options.password = "right";
    StartedServer s(options);
    RawConnection raw(s.server.port());
    raw.read_line();
    raw.send("HELLO {\"v\":2,\"pwdhash\":\"0000\"}\r\n");
    BOOST_TEST(raw.read_line() == "-ERR Invalid password\r\n");
    BOOST_TEST(raw.closed_by_server());
    BOOST_CHECK_THROW(s.client(std::nullopt, "wrong"), protocol::AuthenticationError);
}

BOOST_AUTO_TEST_CASE(missing_password_is_refused) {
    auto options = ephemeral_options();
    options.password = "right";
    StartedServer s(options);
    BOOST_CHECK_THROW(s.client(), protocol::AuthenticationError);  // the client knows it has none
    RawConnection raw(s.server.port());
    raw.read_line();
    raw.send("HELLO {\"v\":2}\r\n");
    BOOST_TEST(raw.read_line() == "-ERR Invalid password\r\n");
}

BOOST_AUTO_TEST_CASE(unfinished_handshake_is_closed_silently_after_about_two_seconds) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.read_line();
    const auto begin = Clock::now();
    BOOST_TEST(raw.read_line().empty());  // EOF, not a reply
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    BOOST_TEST(elapsed >= 1.5);
    BOOST_TEST(elapsed <= 5.0);
}

BOOST_AUTO_TEST_CASE(a_command_before_hello_closes_the_connection_without_a_word) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.read_line();
    raw.send("INFO\r\n");
    BOOST_TEST(raw.read_line().empty());
}

namespace {

// A self-signed certificate for localhost / 127.0.0.1, made with the openssl CLI.
void make_certificate(const faktory_host::testing::TempDir& dir) {
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1"
                                " -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
                                " -keyout " + (dir / "key.pem").string() + " -out " +
                                (dir / "cert.pem").string() + " >/dev/null 2>&1";
    BOOST_REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "openssl could not make a test certificate");
}

DevServerOptions tls_options(const faktory_host::testing::TempDir& dir) {
    auto options = ephemeral_options();
    options.tls_cert_file = (dir / "cert.pem").string();
    options.tls_key_file = (dir / "key.pem").string();
    return options;
}

} // namespace

BOOST_AUTO_TEST_CASE(tls_work_port_serves_a_client_that_does_not_verify) {
    faktory_host::testing::TempDir dir;
    make_certificate(dir);
    StartedServer s(tls_options(dir));
    BOOST_TEST(s.server.url().rfind("tcp+tls://", 0) == 0);
    auto options = s.client_options();
    options.tls.verify_peer = false;
    protocol::Client client(options);
    client.connect();
    client.push(job("OverTls"));
    const auto fetched = client.fetch({"default"});
    BOOST_REQUIRE(fetched.has_value());
    BOOST_TEST(fetched->jobtype() == "OverTls");
}

BOOST_AUTO_TEST_CASE(tls_work_port_is_verified_against_the_given_ca_file) {
    faktory_host::testing::TempDir dir;
    make_certificate(dir);
    StartedServer s(tls_options(dir));
    auto options = s.client_options();
    options.tls.verify_peer = true;
    options.tls.ca_file = (dir / "cert.pem").string();
    protocol::Client client(options);
    client.connect();
    BOOST_TEST(client.info().faktory_version == "1.7.0");
}

BOOST_AUTO_TEST_CASE(tls_port_drops_a_plain_text_client_within_the_handshake_limit) {
    faktory_host::testing::TempDir dir;
    make_certificate(dir);
    StartedServer s(tls_options(dir));
    RawConnection raw(s.server.port());
    raw.send("HELLO {\"v\":2}\r\n");  // not a TLS ClientHello
    const auto begin = Clock::now();
    BOOST_TEST(raw.closed_by_server());
    BOOST_TEST(std::chrono::duration<double>(Clock::now() - begin).count() <= 5.0);
}

BOOST_AUTO_TEST_SUITE_END()
