// Client against fake Faktory servers scripted in this file (plain and TLS):
// the handshake, each command's wire form and reply handling, and failures.
#include <boost/test/unit_test.hpp>

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <semaphore>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include "protocol/client.hpp"
#include "protocol/connection.hpp"
#include "protocol/tls/ssl_init.hpp"
#include "protocol/errors.hpp"
#include "protocol/password_hash.hpp"
#include "protocol/resp.hpp"
#include "support/scripted_server.hpp"
#include "support/temp_dir.hpp"

using namespace faktory_host::protocol;
using faktory_host::testing::TempDir;
using faktory_host::testing::FakeServer;
using faktory_host::testing::Peer;

namespace {

ClientOptions options_for(const FakeServer& server, const std::string& password = "") {
    ClientOptions options;
    options.url.host = "127.0.0.1";
    options.url.port = server.port();
    options.url.password = password;
    options.connect_timeout = std::chrono::milliseconds(5000);
    options.read_timeout = std::chrono::milliseconds(5000);
    return options;
}

Poco::JSON::Object::Ptr json_after(const std::string& line, const std::string& verb) {
    BOOST_TEST_REQUIRE(line.rfind(verb + " ", 0) == 0u, line);
    Poco::JSON::Parser parser;
    return parser.parse(line.substr(verb.size() + 1)).extract<Poco::JSON::Object::Ptr>();
}

template <typename Exception>
std::string message_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Exception& e) {
        return e.what();
    }
    BOOST_FAIL("expected exception was not thrown");
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(handshake)

BOOST_AUTO_TEST_CASE(without_password_sends_hello_v2_and_nothing_else) {
    FakeServer server([](Peer& peer, int) { peer.handshake(); });
    Client client(options_for(server));
    client.connect();
    BOOST_TEST(client.connected());
    const auto lines = server.lines();
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    const auto hello = json_after(lines[0], "HELLO");
    BOOST_TEST(hello->getValue<int>("v") == 2);
    BOOST_TEST(!hello->has("pwdhash"));
    BOOST_TEST(!hello->has("wid"));
    BOOST_TEST(server.error().empty(), server.error());
}

BOOST_AUTO_TEST_CASE(consumer_hello_carries_hostname_wid_pid_and_labels) {
    FakeServer server([](Peer& peer, int) { peer.handshake(); });
    auto options = options_for(server);
    options.worker = WorkerIdentity{"host-1", "wid-abc", 4242, {"blue", "fast"}};
    Client client(options);
    client.connect();
    const auto hello = json_after(server.lines().at(0), "HELLO");
    BOOST_TEST(hello->getValue<std::string>("hostname") == "host-1");
    BOOST_TEST(hello->getValue<std::string>("wid") == "wid-abc");
    BOOST_TEST(hello->getValue<int>("pid") == 4242);
    const auto labels = hello->getArray("labels");
    BOOST_TEST_REQUIRE(labels->size() == 2u);
    BOOST_TEST(labels->getElement<std::string>(1) == "fast");
}

BOOST_AUTO_TEST_CASE(with_password_sends_the_iterated_pwdhash) {
    FakeServer server([](Peer& peer, int) { peer.handshake(R"({"v":2,"i":1735,"s":"123456789abc"})"); });
    Client client(options_for(server, "password"));
    client.connect();
    const auto hello = json_after(server.lines().at(0), "HELLO");
    BOOST_TEST(hello->getValue<std::string>("pwdhash") ==
               "e841e9ac451ce2f737d82f1655808c5a502be91dc8a9e01ad6a1f75497912ed6");
    BOOST_TEST(server.lines().at(0).find("password") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(server_wanting_a_password_we_lack_is_an_authentication_error) {
    FakeServer server([](Peer& peer, int) { peer.send("+HI {\"v\":2,\"i\":10,\"s\":\"salt\"}\r\n"); });
    Client client(options_for(server));
    const auto message = message_of<AuthenticationError>([&] { client.connect(); });
    BOOST_TEST(message.find("requires a password but none is configured") != std::string::npos, message);
    BOOST_TEST(message.find("faktory.password") != std::string::npos);
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_CASE(refused_password_is_an_authentication_error_without_the_password) {
    FakeServer server([](Peer& peer, int) {
        peer.send("+HI {\"v\":2,\"i\":3,\"s\":\"salt\"}\r\n");
        peer.read_line();
        peer.send("-ERR Invalid password\r\n");
    });
    Client client(options_for(server, "wrong-secret"));
    const auto message = message_of<AuthenticationError>([&] { client.connect(); });
    BOOST_TEST(message.find("refused the password") != std::string::npos, message);
    BOOST_TEST(message.find("wrong-secret") == std::string::npos, message);
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_CASE(greeting_that_is_not_hi_is_a_protocol_error) {
    FakeServer server([](Peer& peer, int) { peer.send("SSH-2.0-OpenSSH_9.2\r\n"); });
    Client client(options_for(server));
    const auto message = message_of<ProtocolError>([&] { client.connect(); });
    BOOST_TEST(message.find("SSH-2.0") != std::string::npos, message);
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_CASE(connection_refused_is_a_connection_error_with_masked_url) {
    std::uint16_t unused_port = 0;
    {
        Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
        unused_port = probe.address().port();
    }
    ClientOptions options;
    options.url = ServerUrl::parse("tcp://:topsecret@127.0.0.1:" + std::to_string(unused_port));
    Client client(options);
    const auto message = message_of<ConnectionError>([&] { client.connect(); });
    BOOST_TEST(message.find("topsecret") == std::string::npos, message);
    BOOST_TEST(message.find(":***@127.0.0.1") != std::string::npos, message);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(commands)

BOOST_AUTO_TEST_CASE(push_sends_the_job_json_and_accepts_ok) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("+OK\r\n");
    });
    Client client(options_for(server));
    client.connect();
    Job job("Resize");
    job.set_args_json(R"([1,"a b"])");
    client.push(job);
    const auto pushed = json_after(server.lines().at(1), "PUSH");
    BOOST_TEST(pushed->getValue<std::string>("jid") == job.jid());
    BOOST_TEST(pushed->getValue<std::string>("jobtype") == "Resize");
}

BOOST_AUTO_TEST_CASE(push_bulk_returns_rejected_jobs_and_nothing_when_all_accepted) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("$2\r\n{}\r\n");
        peer.answer(resp::bulk_string(R"({"j2":"jobs must have a jobtype parameter"})"));
    });
    Client client(options_for(server));
    client.connect();
    BOOST_TEST(client.push_bulk({Job("A"), Job("B")}).empty());
    const auto rejected = client.push_bulk({Job("A")});
    BOOST_TEST_REQUIRE(rejected.size() == 1u);
    BOOST_TEST(rejected.at("j2") == "jobs must have a jobtype parameter");
    const auto line = server.lines().at(1);
    BOOST_TEST(line.rfind("PUSHB [{", 0) == 0u, line);
}

BOOST_AUTO_TEST_CASE(fetch_returns_nullopt_on_null_and_jobs_in_bulk_or_simple_form) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("$-1\r\n");
        peer.answer(resp::bulk_string(R"({"jid":"j1234567","jobtype":"T","args":[1],"extra":true})"));
        peer.answer("+{\"jid\":\"j7654321\",\"jobtype\":\"U\",\"args\":[]}\r\n");
    });
    Client client(options_for(server));
    client.connect();
    BOOST_TEST(!client.fetch({"critical", "default"}).has_value());
    const auto job = client.fetch({"default"});
    BOOST_TEST_REQUIRE(job.has_value());
    BOOST_TEST(job->jid() == "j1234567");
    BOOST_TEST(job->fields()->has("extra"));
    BOOST_TEST(client.fetch({"default"})->jobtype() == "U");
    BOOST_TEST(server.lines().at(1) == "FETCH critical default");
}

BOOST_AUTO_TEST_CASE(fetch_without_queues_is_a_caller_error) {
    ClientOptions options;
    Client client(options);
    BOOST_CHECK_THROW(client.fetch({}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(ack_and_fail_send_their_json_bodies) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("+OK\r\n");
        peer.answer("+OK\r\n");
    });
    Client client(options_for(server));
    client.connect();
    client.ack("jid-1");
    client.fail("jid-2", FailureReport{"RuntimeError", "it broke", {"a.cpp:1", "b.cpp:2"}});
    const auto lines = server.lines();
    BOOST_TEST(json_after(lines.at(1), "ACK")->getValue<std::string>("jid") == "jid-1");
    const auto fail = json_after(lines.at(2), "FAIL");
    BOOST_TEST(fail->getValue<std::string>("jid") == "jid-2");
    BOOST_TEST(fail->getValue<std::string>("errtype") == "RuntimeError");
    BOOST_TEST(fail->getValue<std::string>("message") == "it broke");
    BOOST_TEST(fail->getArray("backtrace")->getElement<std::string>(1) == "b.cpp:2");
}

BOOST_AUTO_TEST_CASE(beat_maps_ok_quiet_and_terminate_and_sends_current_state) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("+OK\r\n");
        peer.answer(resp::bulk_string(R"({"state":"quiet"})"));
        peer.answer(resp::bulk_string(R"({"state":"terminate"})"));
    });
    Client client(options_for(server));
    client.connect();
    BOOST_TEST((client.beat("w1", 1024) == WorkerState::running));
    BOOST_TEST((client.beat("w1", 1024, WorkerState::quiet) == WorkerState::quiet));
    BOOST_TEST((client.beat("w1", 1024, WorkerState::quiet) == WorkerState::terminate));
    const auto lines = server.lines();
    const auto first = json_after(lines.at(1), "BEAT");
    BOOST_TEST(first->getValue<std::string>("wid") == "w1");
    BOOST_TEST(first->getValue<int>("rss_kb") == 1024);
    BOOST_TEST(!first->has("current_state"));
    BOOST_TEST(json_after(lines.at(2), "BEAT")->getValue<std::string>("current_state") == "quiet");
}

BOOST_AUTO_TEST_CASE(info_is_parsed_and_kept_raw) {
    const std::string info_json =
        R"({"faktory":{"total_processed":10,"total_failures":2,"total_enqueued":5,"total_queues":2,)"
        R"("queues":{"default":4,"low":1},"tasks":{}},)"
        R"("server":{"faktory_version":"1.9.0","uptime":77,"connections":3,"used_memory_mb":1}})";
    FakeServer server([&](Peer& peer, int) {
        peer.handshake();
        peer.answer(resp::bulk_string(info_json));
    });
    Client client(options_for(server));
    client.connect();
    const auto info = client.info();
    BOOST_TEST(info.total_processed == 10);
    BOOST_TEST(info.total_failures == 2);
    BOOST_TEST(info.total_enqueued == 5);
    BOOST_TEST(info.total_queues == 2);
    BOOST_TEST(info.queues.at("default") == 4);
    BOOST_TEST(info.queues.at("low") == 1);
    BOOST_TEST(info.faktory_version == "1.9.0");
    BOOST_TEST(info.uptime == 77);
    BOOST_TEST(info.connections == 3);
    BOOST_TEST(info.raw_json == info_json);
}

BOOST_AUTO_TEST_CASE(flush_queue_commands_and_mutate_use_their_wire_forms) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        for (int i = 0; i < 5; ++i) peer.answer("+OK\r\n");
    });
    Client client(options_for(server));
    client.connect();
    client.flush();
    client.queue_pause({"a", "b"});
    client.queue_resume({"a"});
    client.queue_remove({"*"});
    client.mutate(R"({"cmd":"kill","target":"retries"})");
    const auto lines = server.lines();
    BOOST_TEST(lines.at(1) == "FLUSH");
    BOOST_TEST(lines.at(2) == "QUEUE PAUSE a b");
    BOOST_TEST(lines.at(3) == "QUEUE RESUME a");
    BOOST_TEST(lines.at(4) == "QUEUE REMOVE *");
    BOOST_TEST(lines.at(5) == R"(MUTATE {"cmd":"kill","target":"retries"})");
}

BOOST_AUTO_TEST_CASE(server_error_reply_keeps_code_and_message_and_the_connection) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("-NOTUNIQUE Job not unique\r\n");
        peer.answer("+OK\r\n");
    });
    Client client(options_for(server));
    client.connect();
    try {
        client.push(Job("T"));
        BOOST_FAIL("no ServerError");
    } catch (const ServerError& e) {
        BOOST_TEST(e.code() == "NOTUNIQUE");
        BOOST_TEST(e.server_message() == "Job not unique");
    }
    BOOST_TEST(client.connected());
    client.ack("j");
}

BOOST_AUTO_TEST_CASE(end_sends_end_and_closes) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.read_line();
    });
    Client client(options_for(server));
    client.connect();
    client.end();
    BOOST_TEST(!client.connected());
    BOOST_TEST(server.lines().at(1) == "END");
    client.end();  // again, disconnected: still no throw
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pipelining)

// What deliver_and_fetch's callback heard: "ok" or the refusal's text, per result index.
struct Answers {
    std::vector<std::string> heard;
    ResultAnswered callback() {
        return [this](std::size_t index, const ServerError* refusal) {
            BOOST_TEST(index == heard.size());  // in order, each once
            heard.push_back(refusal ? std::string(refusal->what()) : "ok");
        };
    }
};

BOOST_AUTO_TEST_CASE(results_and_fetch_are_written_before_any_reply_and_the_replies_are_read_in_order) {
    const std::string job = R"({"jid":"next-1","jobtype":"T","args":[]})";
    FakeServer server([&](Peer& peer, int) {
        peer.handshake();
        // All three commands arrive before the server says a word: one write, not a round trip each.
        peer.read_line();
        peer.read_line();
        peer.read_line();
        peer.send("+OK\r\n-ERR Job not found jid-2\r\n$" + std::to_string(job.size()) + "\r\n" + job + "\r\n");
        peer.answer("+OK\r\n");
    });
    Client client(options_for(server));
    client.connect();
    const FailureReport failure{"RuntimeError", "it broke", {}};
    Answers answers;
    const auto fetched = client.deliver_and_fetch({{"jid-1", nullptr}, {"jid-2", &failure}}, {"critical", "default"},
                                                  answers.callback());
    BOOST_TEST_REQUIRE(fetched.has_value());
    BOOST_TEST(fetched->jid == "next-1");
    BOOST_TEST((answers.heard == std::vector<std::string>{"ok", "ERR Job not found jid-2"}));
    client.ack("after");  // still in step
    const auto lines = server.lines();
    BOOST_TEST(lines.at(1) == R"(ACK {"jid":"jid-1"})");
    BOOST_TEST(json_after(lines.at(2), "FAIL")->getValue<std::string>("errtype") == "RuntimeError");
    BOOST_TEST(lines.at(3) == "FETCH critical default");
    BOOST_TEST(lines.at(4) == R"(ACK {"jid":"after"})");
}

BOOST_AUTO_TEST_CASE(a_connection_cut_between_the_replies_names_the_lost_one_after_the_answered_ones) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.read_line();
        peer.read_line();
        peer.read_line();
        peer.send("+OK\r\n");  // the ACK is answered; then the connection closes
    });
    Client client(options_for(server));
    client.connect();
    const FailureReport failure{"E", "m", {}};
    Answers answers;
    const auto message = message_of<ReplyLostError>([&] {
        client.deliver_and_fetch({{"jid-1", nullptr}, {"jid-2", &failure}}, {"default"}, answers.callback());
    });
    BOOST_TEST(message.rfind("FAIL was sent but its reply was lost", 0) == 0u, message);
    BOOST_TEST((answers.heard == std::vector<std::string>{"ok"}));
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_CASE(a_refused_fetch_is_a_server_error_once_every_result_was_answered) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.read_line();
        peer.read_line();
        peer.send("+OK\r\n-ERR shutdown in progress\r\n");
    });
    Client client(options_for(server));
    client.connect();
    Answers answers;
    const auto message =
        message_of<ServerError>([&] { client.deliver_and_fetch({{"jid-1", nullptr}}, {"default"}, answers.callback()); });
    BOOST_TEST(message == "ERR shutdown in progress");
    BOOST_TEST((answers.heard == std::vector<std::string>{"ok"}));
}

BOOST_AUTO_TEST_CASE(with_no_results_it_is_a_plain_fetch) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("$-1\r\n");
    });
    Client client(options_for(server));
    client.connect();
    Answers answers;
    BOOST_TEST(!client.deliver_and_fetch({}, {"default"}, answers.callback()).has_value());
    BOOST_TEST(answers.heard.empty());
    BOOST_TEST(server.lines().at(1) == "FETCH default");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(failures)

BOOST_AUTO_TEST_CASE(garbage_reply_is_a_protocol_error_and_the_client_can_reconnect) {
    FakeServer server(
        [](Peer& peer, int index) {
            peer.handshake();
            if (index == 0) peer.answer("!garbage\x01\r\n");
            else peer.answer("+OK\r\n");
        },
        2);
    Client client(options_for(server));
    client.connect();
    const auto message = message_of<ProtocolError>([&] { client.ack("j"); });
    BOOST_TEST(message.find("!garbage\\x01") != std::string::npos, message);
    BOOST_TEST(!client.connected());
    client.connect();
    client.ack("j");
    BOOST_TEST(client.connected());
}

BOOST_AUTO_TEST_CASE(server_closing_is_a_connection_error_and_disconnects) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.read_line();  // and close without replying
    });
    Client client(options_for(server));
    client.connect();
    const auto message = message_of<ConnectionError>([&] { client.fetch({"default"}); });
    BOOST_TEST(message.find("closed the connection") != std::string::npos, message);
    BOOST_TEST(!client.connected());
    BOOST_CHECK_THROW(client.ack("j"), ConnectionError);
    client.end();
}

BOOST_AUTO_TEST_CASE(silent_server_is_a_read_timeout_connection_error) {
    // A semaphore, not a mutex: the test thread releases what the server thread waits on.
    std::binary_semaphore released{0};
    FakeServer server([&](Peer& peer, int) {
        peer.handshake();
        peer.read_line();
        // The reply never comes; the bound only keeps a failing test from hanging.
        if (released.try_acquire_for(std::chrono::seconds(10))) released.release();
    });
    auto options = options_for(server);
    options.read_timeout = std::chrono::milliseconds(200);
    Client client(options);
    client.connect();
    const auto message = message_of<ConnectionError>([&] { client.info(); });
    released.release();
    BOOST_TEST(message.find("timed out") != std::string::npos, message);
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_CASE(oversized_bulk_reply_is_refused_without_reading_it) {
    FakeServer server([](Peer& peer, int) {
        peer.handshake();
        peer.answer("$999999999999\r\n");
    });
    Client client(options_for(server));
    client.connect();
    BOOST_CHECK_THROW(client.info(), ProtocolError);
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls)

namespace {

// A self-signed certificate for CN=localhost, made fresh for each test.
struct SelfSignedCertificate {
    SelfSignedCertificate() {
        const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout '" +
                                    key.string() + "' -out '" + cert.string() + "' >/dev/null 2>&1";
        BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0, "openssl could not make a test certificate");
    }
    Poco::Net::Context::Ptr server_context() const {
        ensure_ssl_initialized();
        return new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key.string(), cert.string(), "",
                                      Poco::Net::Context::VERIFY_NONE);
    }
    TempDir dir;
    std::filesystem::path key = dir / "key.pem";
    std::filesystem::path cert = dir / "cert.pem";
};

ClientOptions tls_options_for(const FakeServer& server) {
    auto options = options_for(server);
    options.url.tls = true;
    options.url.host = "localhost";
    return options;
}

} // namespace

BOOST_AUTO_TEST_CASE(handshake_works_over_tls_with_verification_explicitly_off) {
    SelfSignedCertificate certificate;
    FakeServer server([](Peer& peer, int) { peer.handshake(); peer.answer("+OK\r\n"); }, 1,
                      certificate.server_context());
    auto options = tls_options_for(server);
    options.tls.verify_peer = false;
    Client client(options);
    client.connect();
    client.ack("j");
    BOOST_TEST(server.lines().at(1) == R"(ACK {"jid":"j"})");
    BOOST_TEST(server.error().empty(), server.error());
}

BOOST_AUTO_TEST_CASE(self_signed_server_is_rejected_when_verifying_without_its_ca) {
    SelfSignedCertificate certificate;
    FakeServer server([](Peer& peer, int) { peer.handshake(); }, 1, certificate.server_context());
    Client client(tls_options_for(server));  // verify_peer defaults to true
    const auto message = message_of<ConnectionError>([&] { client.connect(); });
    BOOST_TEST(message.find("TLS") != std::string::npos, message);
    BOOST_TEST(!client.connected());
    BOOST_TEST(!server.error().empty());  // the server saw the handshake fail
}

BOOST_AUTO_TEST_CASE(self_signed_server_is_accepted_with_its_certificate_as_ca_file) {
    SelfSignedCertificate certificate;
    FakeServer server([](Peer& peer, int) { peer.handshake(); }, 1, certificate.server_context());
    auto options = tls_options_for(server);
    options.tls.ca_file = certificate.cert.string();
    Client client(options);
    client.connect();
    BOOST_TEST(client.connected());
    BOOST_TEST(server.error().empty(), server.error());
}

BOOST_AUTO_TEST_CASE(writing_to_a_tls_peer_that_closed_is_a_connection_error_and_the_process_lives) {
    // OpenSSL writes with write(2), which takes no MSG_NOSIGNAL: once the peer's reset is in, the
    // write raises SIGPIPE, and only the handler a Connection installs keeps it from killing us.
    // Poco blocks SIGPIPE in this (main) thread when it loads; unblocked, the signal is delivered.
    sigset_t pipe, previous;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &pipe, &previous);
    SelfSignedCertificate certificate;
    FakeServer server([](Peer& peer, int) { peer.send("+HI {\"v\":2}\r\n"); }, 1,  // then closes
                      certificate.server_context());
    ConnectionOptions options;
    options.tls.verify_peer = false;
    Connection connection(tls_options_for(server).url, options);
    server.join();

    const std::string chunk(64 * 1024, 'x');
    int failures = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (failures < 3 && std::chrono::steady_clock::now() < until) {
        try {
            connection.send_raw(chunk);
        } catch (const ConnectionError&) {
            ++failures;
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    BOOST_TEST(failures == 3);
}

BOOST_AUTO_TEST_CASE(server_that_never_completes_the_tls_handshake_hits_the_connect_timeout) {
    // A semaphore, not a mutex: the test thread releases what the server thread waits on.
    std::binary_semaphore released{0};
    FakeServer server([&](Peer&, int) {
        // Accepts TCP but never speaks TLS; the bound only keeps a failing test from hanging.
        if (released.try_acquire_for(std::chrono::seconds(10))) released.release();
    });
    auto options = options_for(server);
    options.url.tls = true;
    options.tls.verify_peer = false;
    options.connect_timeout = std::chrono::milliseconds(300);
    Client client(options);
    const auto started = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(client.connect(), ConnectionError);
    released.release();
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(5)));
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_SUITE_END()
