// Deadlines and stops of Connection, through Client: a reply (the greeting
// included) must arrive whole within read_timeout however it trickles in, and
// a stop request abandons a connect in progress but never a command after the
// handshake. The servers are scripted loopback sockets in this file.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <thread>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include "protocol/client.hpp"
#include "protocol/errors.hpp"

using namespace std::chrono_literals;
using namespace faktory_host::protocol;
using Clock = std::chrono::steady_clock;

namespace {

// Accepts one connection and runs `script` on it in a thread; the script's
// sleeps are bounded by `done`, which the destructor sets.
class ScriptedServer {
public:
    using Script = std::function<void(Poco::Net::StreamSocket&, const std::atomic<bool>& done)>;

    explicit ScriptedServer(Script script) : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        thread_ = std::thread([this, script = std::move(script)] {
            const auto until = Clock::now() + 10s;
            while (!socket_.poll(Poco::Timespan(0, 20'000), Poco::Net::Socket::SELECT_READ))
                if (done_ || Clock::now() > until) return;
            auto peer = socket_.acceptConnection();
            try {
                script(peer, done_);
            } catch (const std::exception&) {
                // The client hung up: that is what most of these tests expect.
            }
        });
    }
    ~ScriptedServer() {
        done_ = true;
        thread_.join();
    }

    ClientOptions options(std::chrono::milliseconds read_timeout) const {
        ClientOptions options;
        options.url.host = "127.0.0.1";
        options.url.port = socket_.address().port();
        options.read_timeout = read_timeout;
        return options;
    }

private:
    Poco::Net::ServerSocket socket_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

void send(Poco::Net::StreamSocket& peer, const std::string& bytes) {
    peer.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
}

// Sends `bytes` one at a time, `gap` apart, until done.
void trickle(Poco::Net::StreamSocket& peer, const std::string& bytes, std::chrono::milliseconds gap,
             const std::atomic<bool>& done) {
    for (char c : bytes) {
        if (done) return;
        peer.sendBytes(&c, 1);
        std::this_thread::sleep_for(gap);
    }
}

// Reads up to and including the next LF.
std::string read_line(Poco::Net::StreamSocket& peer) {
    std::string line;
    char c = 0;
    peer.setReceiveTimeout(Poco::Timespan(10, 0));
    while (peer.receiveBytes(&c, 1) == 1 && c != '\n') line += c;
    return line;
}

void hold_until_done(const std::atomic<bool>& done) {
    while (!done) std::this_thread::sleep_for(10ms);
}

template <typename Action>
std::string connection_error_of(Action&& action) {
    try {
        action();
    } catch (const ConnectionError& e) {
        return e.what();
    }
    return "(no ConnectionError)";
}

// How a connect that a stop request cut short ended: the error, and how long
// after the request connect() gave up.
struct StoppedConnect {
    std::string message;
    Clock::duration after_request{};
};

// Connects with `options`, requesting the stop once the server has `accepted`
// the TCP connection (so the stop lands while the client is blocked past it).
StoppedConnect connect_and_stop_once_accepted(ClientOptions options, const std::atomic<bool>& accepted) {
    std::stop_source stop;
    options.stop_connecting = stop.get_token();
    Clock::time_point requested_at;
    std::jthread stopper([&] {
        const auto until = Clock::now() + 10s;
        while (!accepted && Clock::now() < until) std::this_thread::sleep_for(5ms);
        requested_at = Clock::now();
        stop.request_stop();
    });
    Client client(options);
    StoppedConnect result;
    result.message = connection_error_of([&] { client.connect(); });
    const auto stopped_at = Clock::now();
    stopper.join();
    result.after_request = stopped_at - requested_at;
    return result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(connection_deadline)

BOOST_AUTO_TEST_CASE(a_trickled_greeting_is_cut_off_at_the_reply_deadline) {
    // Every byte comes well within the read timeout; the whole greeting does not.
    ScriptedServer server([](Poco::Net::StreamSocket& peer, const std::atomic<bool>& done) {
        trickle(peer, "+HI {\"v\":2}\r\n", 150ms, done);
        read_line(peer);
        send(peer, "+OK\r\n");
        hold_until_done(done);
    });
    Client client(server.options(600ms));
    const auto started = Clock::now();
    const auto message = connection_error_of([&] { client.connect(); });
    const auto took = Clock::now() - started;
    BOOST_TEST(message.find("timed out") != std::string::npos, message);
    BOOST_TEST(message.find("within 600 ms") != std::string::npos, message);
    BOOST_TEST((took < 1500ms));
}

BOOST_AUTO_TEST_CASE(a_trickled_reply_to_a_command_is_cut_off_at_the_reply_deadline) {
    ScriptedServer server([](Poco::Net::StreamSocket& peer, const std::atomic<bool>& done) {
        send(peer, "+HI {\"v\":2}\r\n");
        read_line(peer);
        send(peer, "+OK\r\n");
        read_line(peer);  // INFO
        trickle(peer, "$20\r\n{\"faktory\":{},\"x\":1}\r\n", 150ms, done);
        hold_until_done(done);
    });
    Client client(server.options(600ms));
    client.connect();
    const auto started = Clock::now();
    const auto message = connection_error_of([&] { client.info(); });
    BOOST_TEST(message.find("timed out") != std::string::npos, message);
    BOOST_TEST((Clock::now() - started < 1500ms));
    BOOST_TEST(!client.connected());
}

BOOST_AUTO_TEST_CASE(a_reply_in_several_pieces_within_the_deadline_is_read_whole) {
    ScriptedServer server([](Poco::Net::StreamSocket& peer, const std::atomic<bool>& done) {
        send(peer, "+HI {\"v\":2}\r\n");
        read_line(peer);
        send(peer, "+OK\r\n");
        read_line(peer);  // FLUSH
        trickle(peer, "+OK\r\n", 50ms, done);
        read_line(peer);  // FLUSH again: the deadline starts afresh for each reply
        trickle(peer, "+OK\r\n", 50ms, done);
        hold_until_done(done);
    });
    Client client(server.options(1000ms));
    client.connect();
    client.flush();
    client.flush();
    BOOST_TEST(client.connected());
}

BOOST_AUTO_TEST_CASE(a_stop_request_abandons_a_connect_to_a_server_that_never_greets) {
    std::atomic<bool> accepted{false};
    ScriptedServer server([&](Poco::Net::StreamSocket&, const std::atomic<bool>& done) {
        accepted = true;
        hold_until_done(done);  // never says HI
    });
    const auto stopped = connect_and_stop_once_accepted(server.options(10000ms), accepted);
    BOOST_TEST(stopped.message.find("stopping") != std::string::npos, stopped.message);
    BOOST_TEST(accepted.load());
    // Far below the 10 s read timeout: the blocked read was cut, not waited out.
    BOOST_TEST((stopped.after_request < 1s));
}

BOOST_AUTO_TEST_CASE(a_stop_request_cuts_a_tls_handshake_the_module_is_blocked_in) {
    // The socket comes from faktory-host-tls.so; the watch must still get its
    // descriptor between the TCP connect and the handshake the module runs.
    std::atomic<bool> accepted{false};
    ScriptedServer server([&](Poco::Net::StreamSocket&, const std::atomic<bool>& done) {
        accepted = true;
        hold_until_done(done);  // accepts TCP, never answers the ClientHello
    });
    auto options = server.options(10000ms);
    options.url.tls = true;
    options.tls.verify_peer = false;
    options.connect_timeout = 10000ms;
    const auto stopped = connect_and_stop_once_accepted(options, accepted);
    BOOST_TEST(stopped.message.find("stopping") != std::string::npos, stopped.message);
    BOOST_TEST(accepted.load());
    // Far below the 10 s connect timeout that bounds the handshake: it was cut, not waited out.
    BOOST_TEST((stopped.after_request < 1s));
}

BOOST_AUTO_TEST_CASE(a_stop_requested_before_connecting_fails_at_once) {
    ScriptedServer server([](Poco::Net::StreamSocket&, const std::atomic<bool>& done) { hold_until_done(done); });
    std::stop_source stop;
    stop.request_stop();
    auto options = server.options(10000ms);
    options.stop_connecting = stop.get_token();
    Client client(options);
    const auto started = Clock::now();
    const auto message = connection_error_of([&] { client.connect(); });
    BOOST_TEST(message.find("stopping") != std::string::npos, message);
    BOOST_TEST((Clock::now() - started < 1s));
}

BOOST_AUTO_TEST_CASE(a_stop_after_the_handshake_leaves_commands_alone) {
    ScriptedServer server([](Poco::Net::StreamSocket& peer, const std::atomic<bool>& done) {
        send(peer, "+HI {\"v\":2}\r\n");
        read_line(peer);
        send(peer, "+OK\r\n");
        read_line(peer);  // FLUSH
        std::this_thread::sleep_for(200ms);
        send(peer, "+OK\r\n");
        hold_until_done(done);
    });
    std::stop_source stop;
    auto options = server.options(5000ms);
    options.stop_connecting = stop.get_token();
    Client client(options);
    client.connect();
    stop.request_stop();
    client.flush();  // a job on its way must never be thrown away because the host is stopping
    BOOST_TEST(client.connected());
}

BOOST_AUTO_TEST_SUITE_END()
