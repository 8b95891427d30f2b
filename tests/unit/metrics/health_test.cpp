// The /healthz rules: 200 while running or quiet and connected; 503 with a
// reason while starting, terminating, disconnected or reloading past the grace.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "metrics/health.hpp"

using namespace faktory_host::metrics;
using namespace std::chrono_literals;

namespace {

const auto now = std::chrono::steady_clock::now();

EngineView engine(const std::string& state) { return EngineView{state, "w1", 2, {{"img", "1.0", "img.so", "aa"}}, 0}; }

Poco::JSON::Object::Ptr parsed(const HealthVerdict& v) {
    return Poco::JSON::Parser().parse(v.body).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

BOOST_AUTO_TEST_CASE(running_and_quiet_connected_workers_are_healthy_with_the_promised_fields) {
    for (const auto* state : {"running", "quiet"}) {
        const auto v = judge_health(engine(state), {}, now, 30s);
        BOOST_TEST(v.healthy, state);
        const auto body = parsed(v);
        BOOST_TEST(body->getValue<std::string>("state") == state);
        BOOST_TEST(body->getValue<std::string>("wid") == "w1");
        BOOST_TEST(body->getValue<bool>("connected"));
        BOOST_TEST(body->getValue<int>("generation") == 2);
        BOOST_TEST(body->getArray("plugins")->getObject(0)->getValue<std::string>("name") == "img");
        BOOST_TEST(!body->has("reason"));
    }
}

BOOST_AUTO_TEST_CASE(starting_terminating_and_no_engine_are_unavailable) {
    BOOST_TEST(!judge_health(std::nullopt, {}, now, 30s).healthy);
    BOOST_TEST(judge_health(engine("starting"), {}, now, 30s).reason.find("starting") == 0);
    for (const auto* state : {"terminating", "stopped"}) {
        const auto v = judge_health(engine(state), {}, now, 30s);
        BOOST_TEST(!v.healthy);
        BOOST_TEST(parsed(v)->getValue<std::string>("reason") == "terminating");
        BOOST_TEST(parsed(v)->getValue<std::string>("status") == "unavailable");
    }
}

BOOST_AUTO_TEST_CASE(a_lost_connection_is_tolerated_for_the_grace_time_only) {
    HostCountsSnapshot host;
    host.failing_connections = 1;
    host.disconnected_since = now - 10s;
    const auto within = judge_health(engine("running"), host, now, 30s);
    BOOST_TEST(within.healthy);
    BOOST_TEST(!parsed(within)->getValue<bool>("connected"));
    const auto past = judge_health(engine("running"), host, now, 5s);
    BOOST_TEST(!past.healthy);
    BOOST_TEST(past.reason == "disconnected from Faktory for 10.0 s (grace 5.0 s)");
}

BOOST_AUTO_TEST_CASE(a_reload_is_tolerated_for_the_grace_time_only) {
    HostCountsSnapshot host;
    host.reload_started_at = now - 8s;
    BOOST_TEST(judge_health(engine("draining"), host, now, 30s).healthy);
    BOOST_TEST(judge_health(engine("reloading"), host, now, 5s).reason == "reloading for 8.0 s (grace 5.0 s)");
    BOOST_TEST(!judge_health(engine("draining"), host, now, 5s).healthy);
}
