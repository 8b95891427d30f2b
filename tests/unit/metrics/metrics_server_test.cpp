// The metrics listener over real loopback sockets: routes and status codes,
// the request line bound, a trickling client cut off by the head deadline
// (not merely per read), the two-thread budget, and a port already taken.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include "metrics/engine_view.hpp"
#include "metrics/metrics_server.hpp"

using namespace faktory_host::metrics;
using namespace std::chrono_literals;

namespace {

MetricsServerOptions loopback(std::chrono::milliseconds deadline = 2s) {
    MetricsServerOptions options;
    options.listen = "127.0.0.1:0";
    options.limits.deadline = deadline;
    return options;
}

std::pair<int, std::string> request(std::uint16_t port, const std::string& method, const std::string& path) {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(req);
    Poco::Net::HTTPResponse response;
    std::string body;
    auto& in = session.receiveResponse(response);
    if (method != "HEAD") Poco::StreamCopier::copyToString(in, body);
    return {response.getStatus(), body};
}

// Sends `raw`, then reads until the server closes; returns what it answered.
std::string exchange(std::uint16_t port, const std::string& raw) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    socket.sendBytes(raw.data(), static_cast<int>(raw.size()));
    std::string answer;
    char buffer[4096];
    for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
    return answer;
}

std::size_t thread_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
    return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(serves_metrics_and_healthz_and_404_elsewhere) {
    set_engine_view_source({});
    MetricsServer server(loopback());
    const auto [metrics_status, metrics_body] = request(server.port(), "GET", "/metrics");
    BOOST_TEST(metrics_status == 200);
    BOOST_TEST(metrics_body.find("# TYPE faktory_host_jobs_total counter") != std::string::npos);
    BOOST_TEST(request(server.port(), "GET", "/metrics?x=1").first == 200);

    // No engine yet: unavailable, and says why.
    const auto [down_status, down_body] = request(server.port(), "GET", "/healthz");
    BOOST_TEST(down_status == 503);
    BOOST_TEST(down_body.find("\"reason\":\"the worker engine is not running\"") != std::string::npos, down_body);

    set_engine_view_source([] { return std::optional<EngineView>(EngineView{"running", "w", 1, {}, 0}); });
    BOOST_TEST(request(server.port(), "GET", "/healthz").first == 200);
    BOOST_TEST(request(server.port(), "HEAD", "/healthz").first == 200);
    set_engine_view_source({});

    BOOST_TEST(request(server.port(), "GET", "/").first == 404);
    BOOST_TEST(request(server.port(), "GET", "/metrics/extra").first == 404);
    BOOST_TEST(request(server.port(), "POST", "/metrics").first == 405);
}

BOOST_AUTO_TEST_CASE(a_request_line_over_the_bound_gets_414_and_garbage_gets_400) {
    MetricsServer server(loopback());
    const auto answer = exchange(server.port(), "GET /" + std::string(5000, 'a') + " HTTP/1.1\r\n\r\n");
    BOOST_TEST(answer.rfind("HTTP/1.1 414", 0) == 0, answer.substr(0, 80));
    BOOST_TEST(exchange(server.port(), "\x01\x02 nonsense\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
    // The listener still serves after both.
    BOOST_TEST(request(server.port(), "GET", "/metrics").first == 200);
}

BOOST_AUTO_TEST_CASE(a_client_trickling_its_request_is_cut_off_at_the_head_deadline) {
    MetricsServer server(loopback(600ms));
    Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", server.port()));
    const auto started = std::chrono::steady_clock::now();
    const std::string head = "GET /metrics HTTP/1.1\r\nX-Pad: " + std::string(200, 'p');
    std::string answer;
    // One byte every 50 ms: each read alone would be quick, so only a total deadline stops it.
    for (std::size_t i = 0; i < head.size() && answer.empty(); ++i) {
        try {
            slow.sendBytes(&head[i], 1);
        } catch (const Poco::Exception&) {
            break;  // closed on us
        }
        if (slow.poll(Poco::Timespan(50 * 1000), Poco::Net::Socket::SELECT_READ)) {
            char buffer[256];
            const int n = slow.receiveBytes(buffer, sizeof buffer);
            if (n > 0) answer.assign(buffer, n);
            break;
        }
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    BOOST_TEST(answer.rfind("HTTP/1.1 408", 0) == 0, answer);
    BOOST_TEST(elapsed < 3s);
    // The only handler thread is free again.
    BOOST_TEST(request(server.port(), "GET", "/healthz").first == 503);
}

BOOST_AUTO_TEST_CASE(the_listener_runs_on_at_most_two_threads) {
    const auto before = thread_count();
    MetricsServer server(loopback());
    for (int i = 0; i < 5; ++i) BOOST_TEST(request(server.port(), "GET", "/metrics").first == 200);
    BOOST_TEST(thread_count() - before <= 2u);
}

BOOST_AUTO_TEST_CASE(a_port_already_taken_is_an_error_not_a_shared_port) {
    MetricsServer first(loopback());
    auto options = loopback();
    options.listen = "127.0.0.1:" + std::to_string(first.port());
    BOOST_CHECK_THROW(MetricsServer second(options), Poco::Exception);
}

BOOST_AUTO_TEST_CASE(listen_addresses_default_to_loopback_and_bad_ports_are_refused) {
    BOOST_TEST((parse_listen_address("9419") == std::pair<std::string, std::uint16_t>{"127.0.0.1", 9419}));
    BOOST_TEST((parse_listen_address(":9419") == std::pair<std::string, std::uint16_t>{"127.0.0.1", 9419}));
    BOOST_TEST((parse_listen_address("[::1]:80") == std::pair<std::string, std::uint16_t>{"::1", 80}));
    BOOST_CHECK_THROW(parse_listen_address("host:70000"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_listen_address("host:"), std::invalid_argument);
}
