// INFO as Faktory 1.7.0 answers it: the same keys and nesting, and sizes that
// follow the server's state (the official clients' own tests read them).
#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>

#include "dev_server_fixture.hpp"
#include "devserver/server_clock.hpp"
#include "support/eventually.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;
namespace protocol = faktory_host::protocol;
using faktory_host::testing::eventually;

namespace {

// Faktory 1.7.0's INFO right after its start and one `HELLO {"v":2}`.
const char* faktory_1_7_fresh_info =
    R"({"faktory":{"queues":{},"tasks":{"Busy":{"reaped":0,"size":0},)"
    R"("Dead":{"cycles":0,"enqueued":0,"size":0,"wall_time_sec":0},)"
    R"("Retries":{"cycles":0,"enqueued":0,"size":0,"wall_time_sec":0},)"
    R"("Scheduled":{"cycles":0,"enqueued":0,"size":0,"wall_time_sec":0},)"
    R"("Workers":{"reaped":0,"size":0}},"total_enqueued":0,"total_failures":0,"total_processed":0,"total_queues":0},)"
    R"("now":"2026-11-29T07:08:54.460887419Z",)"
    R"("server":{"command_count":1,"connections":1,"description":"Faktory","faktory_version":"1.7.0",)"
    R"("uptime":2,"used_memory_mb":12},"server_utc_time":"07:08:54 UTC"})";

// Every key path in a JSON object ("faktory.tasks.Busy.size", ...), objects
// included, so a change of nesting shows as well as a missing key.
void collect_paths(const Poco::JSON::Object::Ptr& object, const std::string& prefix, std::set<std::string>& out,
                   bool descend_into_queues = false) {
    for (const auto& [key, value] : *object) {
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        out.insert(path);
        if (value.type() == typeid(Poco::JSON::Object::Ptr) && (path != "faktory.queues" || descend_into_queues))
            collect_paths(value.extract<Poco::JSON::Object::Ptr>(), path, out);
    }
}

std::set<std::string> paths_of(const std::string& json) {
    std::set<std::string> paths;
    collect_paths(parse_object(json), "", paths);
    return paths;
}

Poco::JSON::Object::Ptr info_of(protocol::Client& client) { return parse_object(client.info().raw_json); }

std::int64_t task_size(const Poco::JSON::Object::Ptr& info, const std::string& task) {
    return info->getObject("faktory")->getObject("tasks")->getObject(task)->getValue<std::int64_t>("size");
}

protocol::Job job_from(const std::string& json) { return protocol::Job(parse_object(json)); }

} // namespace

BOOST_AUTO_TEST_SUITE(devserver_info)

BOOST_AUTO_TEST_CASE(fresh_info_has_faktory_1_7_keys_nesting_and_values_plus_only_the_dev_server_own_keys) {
    StartedServer s;
    RawConnection raw(s.server.port());
    BOOST_REQUIRE(raw.handshake() == "+OK\r\n");
    raw.send("INFO\r\n");
    const std::string reply = raw.read_reply();
    BOOST_REQUIRE(reply.rfind("$", 0) == 0);
    const std::string json = reply.substr(reply.find("\r\n") + 2, reply.size() - reply.find("\r\n") - 4);

    auto expected = paths_of(faktory_1_7_fresh_info);
    expected.insert({"server.devserver_name", "server.devserver_version"});
    const auto actual = paths_of(json);
    BOOST_TEST(actual == expected, boost::test_tools::per_element());

    const auto info = parse_object(json);
    const auto faktory = info->getObject("faktory");
    for (const char* total : {"total_enqueued", "total_failures", "total_processed", "total_queues"})
        BOOST_TEST(faktory->getValue<std::int64_t>(total) == 0, total);
    BOOST_TEST(faktory->getObject("queues")->size() == 0u);
    for (const char* task : {"Busy", "Dead", "Retries", "Scheduled", "Workers"})
        BOOST_TEST(task_size(info, task) == 0, task);
    const auto server = info->getObject("server");
    BOOST_TEST(server->getValue<std::int64_t>("command_count") == 1);  // this INFO; HELLO is not counted
    BOOST_TEST(server->getValue<std::int64_t>("connections") == 1);
    BOOST_TEST(server->getValue<std::string>("description") == "Faktory");
    BOOST_TEST(server->getValue<std::string>("faktory_version") == "1.7.0");
    BOOST_TEST(server->getValue<std::string>("devserver_name") == "faktory-host dev server");
    BOOST_TEST(!server->getValue<std::string>("devserver_version").empty());

    // now is RFC 3339 and server_utc_time is its time of day.
    const auto now = parse_rfc3339(info->getValue<std::string>("now"));
    BOOST_REQUIRE(now.has_value());
    const std::string utc = info->getValue<std::string>("server_utc_time");
    BOOST_TEST(std::regex_match(utc, std::regex(R"(\d\d:\d\d:\d\d UTC)")), utc);
    BOOST_TEST(utc.substr(0, 8) == format_rfc3339(*now).substr(11, 8));
}

BOOST_AUTO_TEST_CASE(task_sizes_count_the_jobs_in_each_set_the_reservations_and_the_live_workers) {
    StartedServer s;
    auto client = s.client();
    auto later = job("Later");
    later.set_at("2999-01-01T00:00:00Z");
    client->push(later);
    client->push(job_from(R"({"jid":"retried-1","jobtype":"Flaky","args":[]})"));
    client->fail(client->fetch({"default"})->jid(), {"Boom", "retry me", {}});
    client->push(job_from(R"({"jid":"doomed-01","jobtype":"Doomed","args":[],"retry":-1})"));
    client->fail(client->fetch({"default"})->jid(), {"Boom", "dead at once", {}});
    client->push(job("Held"));
    client->push(job("Held"));
    client->fetch({"default"});

    auto info = info_of(*client);
    BOOST_TEST(task_size(info, "Scheduled") == 1);
    BOOST_TEST(task_size(info, "Retries") == 1);
    BOOST_TEST(task_size(info, "Dead") == 1);
    BOOST_TEST(task_size(info, "Busy") == 1);
    BOOST_TEST(task_size(info, "Workers") == 0);  // a producer connection is no worker
    BOOST_TEST(info->getObject("faktory")->getValue<std::int64_t>("total_enqueued") == 1);

    // Workers: processes with a live connection, counted once per wid.
    {
        auto first = s.client("wid-info-1");
        auto second_connection = s.client("wid-info-1");
        auto other = s.client("wid-info-2");
        BOOST_TEST(task_size(info_of(*client), "Workers") == 2);
    }
    BOOST_TEST(eventually([&] { return task_size(info_of(*client), "Workers") == 0; }));

    client->mutate(R"({"cmd":"kill","target":"retries"})");
    info = info_of(*client);
    BOOST_TEST(task_size(info, "Retries") == 0);
    BOOST_TEST(task_size(info, "Dead") == 2);
    client->mutate(R"({"cmd":"requeue","target":"scheduled"})");
    info = info_of(*client);
    BOOST_TEST(task_size(info, "Scheduled") == 0);
    BOOST_TEST(info->getObject("faktory")->getValue<std::int64_t>("total_enqueued") == 2);
    client->mutate(R"({"cmd":"clear","target":"dead"})");
    BOOST_TEST(task_size(info_of(*client), "Dead") == 0);
}

BOOST_AUTO_TEST_CASE(queues_seen_before_flush_stay_listed_with_size_zero_and_counted) {
    StartedServer s;
    auto client = s.client();
    client->push(job("A", "alpha"));
    client->push(job("B", "beta"));
    client->flush();
    const auto info = client->info();
    BOOST_TEST(info.total_queues == 2);
    BOOST_TEST(info.total_enqueued == 0);
    BOOST_REQUIRE(info.queues.count("alpha") == 1u);
    BOOST_TEST(info.queues.at("alpha") == 0);
    BOOST_TEST(info.queues.at("beta") == 0);
}

BOOST_AUTO_TEST_CASE(command_count_counts_every_command_since_start) {
    StartedServer s;
    auto client = s.client();
    auto count = [&] {
        return info_of(*client)->getObject("server")->getValue<std::int64_t>("command_count");
    };
    const auto first = count();
    client->push(job("A"));
    client->fetch({"default"});
    BOOST_TEST(count() == first + 3);  // PUSH, FETCH and this INFO
}

BOOST_AUTO_TEST_CASE(task_counters_record_scanner_runs_moves_and_reaping) {
    StartedServer s;
    auto client = s.client();
    auto soon = job("Soon");
    const auto in_ten_seconds = format_rfc3339(
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()) +
        std::chrono::seconds(10));
    soon.set_at(in_ten_seconds);
    client->push(soon);
    client->push(job_from(R"({"jid":"reserved-1","jobtype":"Slow","args":[],"queue":"slow","reserve_for":60})"));
    client->fetch({"slow"});
    auto silent = s.client("wid-silent");

    s.server.advance_time(std::chrono::seconds(61));  // scheduled job due, reservation expired, worker silent
    const auto tasks = info_of(*client)->getObject("faktory")->getObject("tasks");
    BOOST_TEST(tasks->getObject("Scheduled")->getValue<std::int64_t>("enqueued") == 1);
    BOOST_TEST(tasks->getObject("Scheduled")->getValue<std::int64_t>("cycles") >= 1);
    BOOST_TEST(tasks->getObject("Retries")->getValue<std::int64_t>("cycles") >= 1);
    BOOST_TEST(tasks->getObject("Dead")->getValue<std::int64_t>("cycles") >= 1);
    BOOST_TEST(tasks->getObject("Busy")->getValue<std::int64_t>("reaped") == 1);
    BOOST_TEST(tasks->getObject("Busy")->getValue<std::int64_t>("size") == 0);
    BOOST_TEST(tasks->getObject("Retries")->getValue<std::int64_t>("size") == 1);  // the expired reservation
    BOOST_TEST(tasks->getObject("Workers")->getValue<std::int64_t>("reaped") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
