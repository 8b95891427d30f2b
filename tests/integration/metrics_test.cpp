// faktory-host's /metrics and /healthz, scraped over HTTP while it works
// against the dev server: the job counters agree exactly with the server's
// processed and failed counts, and /healthz turns 503 (with the reason) once
// the server has been unreachable for longer than metrics.health_grace.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

namespace {

struct HttpReply {
    int status = 0;  // 0: no answer (not listening yet)
    std::string content_type;
    std::string body;
};

HttpReply http_get(std::uint16_t port, const std::string& path) {
    HttpReply reply;
    try {
        Poco::Net::HTTPClientSession session("127.0.0.1", port);
        session.setTimeout(Poco::Timespan(5, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        auto& in = session.receiveResponse(response);
        Poco::StreamCopier::copyToString(in, reply.body);
        reply.status = response.getStatus();
        reply.content_type = response.getContentType();
    } catch (const Poco::Exception&) {
        reply.status = 0;
    }
    return reply;
}

// A loopback port nobody listens on right now.
std::uint16_t free_port() {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    return probe.address().port();
}

// Every sample of `family` in an exposition text: label text -> value.
std::map<std::string, double> samples(const std::string& text, const std::string& family) {
    std::map<std::string, double> out;
    std::istringstream lines(text);
    const std::regex sample("^" + family + "(\\{[^}]*\\})? ([-+0-9.eEInf]+)$");
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_match(line, match, sample)) out[match[1].str()] = std::stod(match[2].str());
    }
    return out;
}

Poco::JSON::Object::Ptr json(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

BOOST_AUTO_TEST_CASE(job_counters_agree_with_the_servers_processed_and_failed_counts) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    const auto port = free_port();
    auto& host = rig.start_host({"--metrics-listen", "127.0.0.1:" + std::to_string(port)});
    const auto wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!wid.empty(), rig.diagnostics());

    for (int i = 0; i < 12; ++i) rig.push("Succeed");
    for (int i = 0; i < 5; ++i) rig.push("Raise");
    for (int i = 0; i < 3; ++i) rig.push("NoSuchJobtype");
    BOOST_REQUIRE_MESSAGE(eventually([&] { return rig.processed() == 20; }, 20s), rig.diagnostics());

    const auto stats = rig.server().stats();
    const auto server_processed = stats->getValue<std::int64_t>("processed");
    const auto server_failed = stats->getValue<std::int64_t>("failed");
    const auto scrape = http_get(port, "/metrics");
    BOOST_REQUIRE_EQUAL(scrape.status, 200);
    BOOST_TEST(scrape.content_type == "text/plain; version=0.0.4; charset=utf-8");
    BOOST_TEST(scrape.body.find("# TYPE faktory_host_jobs_total counter\n") != std::string::npos);

    const auto jobs = samples(scrape.body, "faktory_host_jobs_total");
    double acked = 0, failed = 0;
    for (const auto& [labels, value] : jobs) (labels.find("result=\"ack\"") != std::string::npos ? acked : failed) += value;
    BOOST_TEST(acked + failed == static_cast<double>(server_processed), scrape.body);
    BOOST_TEST(failed == static_cast<double>(server_failed), scrape.body);
    BOOST_TEST(jobs.at("{pool=\"default\",jobtype=\"Succeed\",result=\"ack\"}") == 12);
    BOOST_TEST(jobs.at("{pool=\"default\",jobtype=\"Raise\",result=\"fail\"}") == 5);
    BOOST_TEST(jobs.at("{pool=\"default\",jobtype=\"NoSuchJobtype\",result=\"fail\"}") == 3);
    BOOST_TEST(samples(scrape.body, "faktory_host_job_duration_seconds_count").at(
                   "{pool=\"default\",jobtype=\"Succeed\"}") == 12);
    BOOST_TEST(samples(scrape.body, "faktory_host_state").at("{state=\"running\"}") == 1);
    BOOST_TEST(samples(scrape.body, "faktory_host_connected").at("") == 1);
    BOOST_TEST(samples(scrape.body, "faktory_host_generation").at("") == 1);
    BOOST_TEST(samples(scrape.body, "process_open_fds").at("") > 0);
    BOOST_TEST(scrape.body.find("faktory_host_plugin_info{name=\"host-fixture\",version=\"1.0.0\",file=\"host_fixture.so\","
                                "sha256=\"") != std::string::npos);

    const auto health = http_get(port, "/healthz");
    BOOST_TEST(health.status == 200);
    const auto body = json(health.body);
    BOOST_TEST(body->getValue<std::string>("state") == "running");
    BOOST_TEST(body->getValue<std::string>("wid") == wid);
    BOOST_TEST(body->getValue<bool>("connected"));
    BOOST_TEST(http_get(port, "/other").status == 404);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(healthz_is_503_with_a_reason_while_the_server_is_unreachable_past_the_grace_time) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    const auto config = rig.write_config();
    std::ofstream(config, std::ios::app) << "metrics:\n  health_grace: 1s\n";
    const auto port = free_port();
    auto& host = rig.start_host({"--metrics-listen", "127.0.0.1:" + std::to_string(port)});
    BOOST_REQUIRE_MESSAGE(eventually([&] { return http_get(port, "/healthz").status == 200; }, 15s),
                          rig.diagnostics());

    rig.server().refuse_connections_for(6s);
    rig.server().drop_all_connections();
    HttpReply down;
    BOOST_REQUIRE_MESSAGE(eventually([&] { return (down = http_get(port, "/healthz")).status == 503; }, 5s),
                          rig.diagnostics());
    const auto body = json(down.body);
    BOOST_TEST(body->getValue<std::string>("reason").find("disconnected from Faktory for") != std::string::npos,
               down.body);
    BOOST_TEST(!body->getValue<bool>("connected"));
    BOOST_TEST(down.body.find(rig.url()) == std::string::npos);  // nothing of the server's address leaks
    BOOST_TEST(samples(http_get(port, "/metrics").body, "faktory_host_connected").at("") == 0);

    // The server accepts again: the host reconnects and is healthy once more.
    BOOST_TEST(eventually([&] { return http_get(port, "/healthz").status == 200; }, 25s), rig.diagnostics());
    BOOST_TEST(samples(http_get(port, "/metrics").body, "faktory_host_reconnects_total").at("") >= 1);

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}
