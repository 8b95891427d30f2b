// The worker engine against a scripted Faktory that refuses results, hands
// out malformed jobs, loses a PUSH reply, or answers a FETCH only once the
// host is terminating. Each test reads the commands the host sent (and, for
// the result+FETCH pipelining, which connection and which read brought each).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <set>
#include <deque>
#include <mutex>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "host_under_test.hpp"
#include "support/scripted_server.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::HostUnderTest;
using faktory_host::testing::ScriptedFaktory;
using faktory_host::worker::LifecycleState;

namespace {

std::string bulk(const std::string& payload) {
    return "$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
}

// FETCH replies handed out in order; an empty feed answers "no job" after a short wait,
// as a real server's blocking FETCH would (only shorter).
class JobFeed {
public:
    void add(std::string payload) {
        std::lock_guard lock(mutex_);
        payloads_.push_back(std::move(payload));
    }
    std::string next() {
        {
            std::lock_guard lock(mutex_);
            if (!payloads_.empty()) {
                auto payload = std::move(payloads_.front());
                payloads_.pop_front();
                return bulk(payload);
            }
        }
        std::this_thread::sleep_for(50ms);
        return "$-1\r\n";
    }

private:
    std::mutex mutex_;
    std::deque<std::string> payloads_;
};

Poco::JSON::Object::Ptr json_of(const std::string& command_line) {
    Poco::JSON::Parser parser;
    return parser.parse(command_line.substr(command_line.find(' ') + 1)).extract<Poco::JSON::Object::Ptr>();
}

std::string jid_of(const std::string& command_line) { return json_of(command_line)->getValue<std::string>("jid"); }

// True when `holds` stays true for all of `span`: for asserting that something does NOT happen.
template <typename Predicate>
bool stays(Predicate&& holds, std::chrono::milliseconds span) {
    return !eventually([&] { return !holds(); }, span);
}

// The first command line starting with `prefix` and the next line on the same
// connection, once both arrived.
// The first command line in `lines` that starts with `prefix`, or lines.end().
std::vector<ScriptedFaktory::Received>::const_iterator first_starting(
    const std::vector<ScriptedFaktory::Received>& lines, const std::string& prefix) {
    return std::find_if(lines.begin(), lines.end(), [&](const auto& r) { return r.line.rfind(prefix, 0) == 0; });
}

std::optional<std::pair<ScriptedFaktory::Received, ScriptedFaktory::Received>> after_result(
    const ScriptedFaktory& server, const std::string& prefix) {
    const auto lines = server.received();
    const auto result = first_starting(lines, prefix);
    if (result == lines.end()) return std::nullopt;
    const auto next =
        std::find_if(result + 1, lines.end(), [&](const auto& r) { return r.connection == result->connection; });
    if (next == lines.end()) return std::nullopt;
    return std::make_pair(*result, *next);
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostile_server)

BOOST_AUTO_TEST_CASE(a_result_and_the_next_fetch_go_out_in_one_write) {
    JobFeed feed;
    feed.add(R"({"jid":"job-piped-1","jobtype":"Succeed","args":[]})");
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return after_result(server, "ACK ").has_value(); }));
    const auto [ack, next] = *after_result(server, "ACK ");
    BOOST_TEST(jid_of(ack.line) == "job-piped-1");
    // The FETCH came in the very read that brought the ACK: it was written before the ACK's reply.
    BOOST_TEST(next.line.rfind("FETCH ", 0) == 0u, next.line);
    BOOST_TEST(next.read == ack.read);
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_refused_ack_is_kept_and_sent_again_before_the_next_fetch) {
    JobFeed feed;
    feed.add(R"({"jid":"job-refused-1","jobtype":"Succeed","args":[]})");
    std::atomic<int> acks{0};
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        if (verb == "BEAT") return "+OK\r\n";
        // As Faktory while shutting down: refuse, then close the connection.
        if (verb == "ACK" && ++acks == 1) return "-ERR shutdown in progress\r\n";
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("ACK ").size() == 2; }));
    BOOST_TEST(jid_of(server.commands_starting("ACK ").at(1)) == "job-refused-1");
    // The first ACK shares its write with the next FETCH (the result and the next FETCH go out
    // together), so one FETCH was written before the refusal could be known: that one is allowed.
    // Once the refusal is known, no FETCH is written until the ACK was sent again, alone: between the
    // two ACKs only that pipelined FETCH, and the re-send precedes the following FETCH. Any looser
    // (a second FETCH before the re-send) would let a refused result wait behind new work.
    // Where the two ACKs are in the server's log, and how many FETCHes came between and after.
    struct Positions {
        std::size_t between = 0, after = 0;
    };
    const auto positions = [&] {
        Positions p;
        int acks_seen = 0;
        for (const auto& line : server.commands()) {
            if (line.rfind("ACK ", 0) == 0) ++acks_seen;
            if (line.rfind("FETCH", 0) != 0) continue;
            if (acks_seen == 1) ++p.between;
            if (acks_seen == 2) ++p.after;
        }
        return p;
    };
    BOOST_TEST_REQUIRE(eventually([&] { return positions().after >= 1; }));  // fetching goes on after the re-send
    BOOST_TEST(positions().between == 1u);
    // The pipelined FETCH is the one that came in the ACK's own read.
    const auto [ack, next] = *after_result(server, "ACK ");
    BOOST_TEST(next.line.rfind("FETCH ", 0) == 0u, next.line);
    BOOST_TEST(next.read == ack.read);
    // Delivered: not sent a third time.
    BOOST_TEST(stays([&] { return server.commands_starting("ACK ").size() == 2; }, 500ms));
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_job_brought_by_the_fetch_written_with_a_refused_ack_runs_and_the_ack_is_resent_first) {
    JobFeed feed;
    feed.add(R"({"jid":"job-first","jobtype":"Succeed","args":[]})");
    feed.add(R"({"jid":"job-second","jobtype":"Succeed","args":[]})");
    std::atomic<int> acks{0};
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        if (verb == "ACK" && ++acks == 1) return "-ERR storage trouble\r\n";  // transient, connection kept
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("ACK ").size() == 3; }));
    std::vector<std::string> results_and_fetches;
    for (const auto& line : server.commands())
        if (line.rfind("ACK ", 0) == 0 || line.rfind("FETCH ", 0) == 0)
            results_and_fetches.push_back(line.rfind("ACK ", 0) == 0 ? "ACK " + jid_of(line) : "FETCH");
    BOOST_TEST_REQUIRE(results_and_fetches.size() >= 5u);
    // FETCH (job-first); ACK job-first refused + FETCH in one write (job-second, reserved for us: it
    // runs); then the refused ACK goes again, with job-second's ACK, before any other FETCH.
    BOOST_TEST(results_and_fetches[0] == "FETCH");
    BOOST_TEST(results_and_fetches[1] == "ACK job-first");
    BOOST_TEST(results_and_fetches[2] == "FETCH");
    const std::set<std::string> resent{results_and_fetches[3], results_and_fetches[4]};
    BOOST_TEST((resent == std::set<std::string>{"ACK job-first", "ACK job-second"}));
    BOOST_TEST(stays([&] { return server.commands_starting("ACK ").size() == 3; }, 500ms));
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_connection_cut_after_the_result_is_answered_loses_only_the_fetch_reply) {
    JobFeed feed;
    feed.add(R"({"jid":"job-cut-1","jobtype":"Succeed","args":[]})");
    std::atomic<bool> cut_next_fetch{false};
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") {
            if (cut_next_fetch.exchange(false)) return std::nullopt;  // close between the two replies
            return feed.next();
        }
        if (verb == "ACK") cut_next_fetch = true;
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("ACK ").size() == 1; }));
    const auto acked_on = after_result(server, "ACK ")->first.connection;
    // The processor comes back on a new connection and fetches again...
    BOOST_TEST(eventually([&] {
        for (const auto& r : server.received())
            if (r.connection > acked_on && r.line.rfind("FETCH ", 0) == 0) return true;
        return false;
    }));
    // ...and the ACK, answered before the cut, is not sent again.
    BOOST_TEST(stays([&] { return server.commands_starting("ACK ").size() == 1; }, 500ms));
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_result_whose_reply_is_lost_is_sent_again_alone_on_the_next_connection) {
    JobFeed feed;
    feed.add(R"({"jid":"job-lost-1","jobtype":"Succeed","args":[]})");
    std::atomic<int> acks{0};
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        if (verb == "ACK" && ++acks == 1) return std::nullopt;  // read it, close without a reply
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("ACK ").size() == 2; }));
    // The re-sent ACK and the next line on its connection, once that has come.
    const auto resent_and_next = [&]() -> std::optional<std::pair<ScriptedFaktory::Received, ScriptedFaktory::Received>> {
        const auto lines = server.received();
        std::optional<ScriptedFaktory::Received> resent;
        int acks_seen = 0;
        for (const auto& r : lines) {
            if (resent && r.connection == resent->connection) return std::make_pair(*resent, r);
            if (r.line.rfind("ACK ", 0) == 0 && ++acks_seen == 2) resent = r;
        }
        return std::nullopt;
    };
    BOOST_TEST_REQUIRE(eventually([&] { return resent_and_next().has_value(); }));
    const auto [resent, next] = *resent_and_next();
    const auto first = server.received();
    const auto first_ack = first_starting(first, "ACK ");
    BOOST_TEST(resent.connection > first_ack->connection);
    BOOST_TEST(jid_of(resent.line) == "job-lost-1");
    // Alone: the FETCH after the re-sent ACK was written only once the ACK was answered.
    BOOST_TEST(next.line.rfind("FETCH ", 0) == 0u, next.line);
    BOOST_TEST(next.read != resent.read);
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_CASE(at_terminate_the_last_result_goes_out_alone_with_no_fetch) {
    JobFeed feed;
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    const auto release = host.dir / "release";
    const auto runs = host.dir / "runs";
    feed.add(R"({"jid":"job-last-1","jobtype":"WaitForFile","args":[)" + HostUnderTest::quoted(release) + "," +
             HostUnderTest::quoted(runs) + "]}");
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return faktory_host::testing::file_lines(runs).size() == 1; }));
    host.host->request_terminate();
    BOOST_TEST_REQUIRE(eventually([&] { return host.host->state() == LifecycleState::terminating; }));
    std::ofstream(release.string()) << "go\n";
    BOOST_TEST(host.terminate_and_wait() == 0);
    BOOST_TEST_REQUIRE(server.commands_starting("ACK ").size() == 1u);
    // Fetching is held once terminating: nothing rides along with the ACK, and nothing follows it.
    const auto lines = server.received();
    const auto ack = first_starting(lines, "ACK ");
    for (auto it = ack + 1; it != lines.end(); ++it)
        if (it->connection == ack->connection) BOOST_TEST(it->line.rfind("FETCH", 0) != 0u, it->line);
}

BOOST_AUTO_TEST_CASE(before_a_reload_moves_a_processor_its_result_goes_out_alone_on_the_old_connection) {
    JobFeed feed;
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    const auto release = host.dir / "release";
    const auto runs = host.dir / "runs";
    feed.add(R"({"jid":"job-reload-1","jobtype":"WaitForFile","args":[)" + HostUnderTest::quoted(release) + "," +
             HostUnderTest::quoted(runs) + "]}");
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return faktory_host::testing::file_lines(runs).size() == 1; }));
    const auto old_wid = host.host->wid();
    host.host->request_reload();
    BOOST_TEST_REQUIRE(eventually([&] { return host.host->wid() != old_wid; }));
    std::ofstream(release.string()) << "go\n";
    BOOST_TEST_REQUIRE(eventually([&] { return after_result(server, "ACK ").has_value(); }));
    const auto [ack, next] = *after_result(server, "ACK ");
    // On the connection that fetched the job (HELLO under the old wid), alone, and then END.
    const auto lines = server.received();
    const auto hello = std::find_if(lines.begin(), lines.end(), [&](const auto& r) {
        return r.connection == ack.connection && r.line.rfind("HELLO ", 0) == 0;
    });
    BOOST_TEST_REQUIRE((hello != lines.end()));
    BOOST_TEST(json_of(hello->line)->getValue<std::string>("wid") == old_wid);
    BOOST_TEST(next.line == "END");
    // The processor then works under the new wid.
    BOOST_TEST(eventually([&] {
        for (const auto& r : server.received())
            if (r.connection > ack.connection && r.line.rfind("FETCH ", 0) == 0) return true;
        return false;
    }));
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_CASE(a_fail_answered_job_not_found_is_final_and_not_sent_again) {
    JobFeed feed;
    feed.add(R"({"jid":"job-gone-1","jobtype":"Raise","args":[]})");
    feed.add(R"({"jid":"job-after-1","jobtype":"Succeed","args":[]})");
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        if (verb == "FAIL") return "-ERR Job not found job-gone-1\r\n";
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("ACK ").size() == 1; }));
    BOOST_TEST(jid_of(server.commands_starting("ACK ").front()) == "job-after-1");
    BOOST_TEST(stays([&] { return server.commands_starting("FAIL ").size() == 1; }, 500ms));
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_CASE(each_malformed_payload_is_failed_as_malformed_job_on_the_same_connection) {
    JobFeed feed;
    feed.add(R"([1,2,3])");                                                     // not an object, no jid
    feed.add(R"({"jobtype":"Succeed","args":[]})");                              // no jid
    feed.add(R"({"jid":"bad-no-type","args":[]})");                              // no jobtype
    feed.add(R"({"jid":"bad-args","jobtype":"Succeed","args":"x"})");            // args not an array
    feed.add(R"({"jid":"bad-retry","jobtype":"Succeed","args":[],"retry":"3"})");  // a field of the wrong type
    feed.add(R"({"jid":"bad-big","jobtype":"Succeed","args":[")" + std::string(10000, 'x') + R"("]})");  // over the limit
    feed.add(R"({"jid":"bad-json","jobtype":"Succeed","args":[1,)");              // broken JSON, jid readable
    feed.add(R"({"jid":"good-1","jobtype":"Succeed","args":[]})");               // and then a good one
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.connection.max_job_bytes = 4096;
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("ACK ").size() == 1; }));
    BOOST_TEST(jid_of(server.commands_starting("ACK ").front()) == "good-1");  // never an ACK of a malformed one
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("FAIL ").size() == 5; }));
    std::map<std::string, std::string> messages;
    for (const auto& line : server.commands_starting("FAIL ")) {
        const auto body = json_of(line);
        BOOST_TEST(body->getValue<std::string>("errtype") == "MalformedJob");
        messages[body->getValue<std::string>("jid")] = body->getValue<std::string>("message");
    }
    BOOST_TEST(messages["bad-no-type"].find(R"(no "jobtype")") != std::string::npos, messages["bad-no-type"]);
    BOOST_TEST(messages["bad-args"].find(R"("args" is a string, expected an array)") != std::string::npos);
    BOOST_TEST(messages["bad-retry"].find(R"("retry" is a string, expected an integer)") != std::string::npos);
    BOOST_TEST(messages["bad-big"].find("over the host's limit of 4096 bytes") != std::string::npos, messages["bad-big"]);
    BOOST_TEST(messages["bad-json"].find("not valid JSON") != std::string::npos);
    // Producer check at start, heartbeat, one processor: nobody had to reconnect.
    BOOST_TEST(eventually([&] { return server.connections() >= 3; }));
    BOOST_TEST(stays([&] { return server.connections() == 3; }, 300ms), server.connections());
    BOOST_TEST(host.terminate_and_wait() == 0);
    BOOST_TEST(server.commands_starting("ACK ").size() == 1u);
}

namespace {

// Terminates the host while its only FETCH is outstanding, then answers that FETCH with `payload`;
// returns the ACK/PUSH/FAIL lines the host sent. With `refuse_first_push` the first PUSH is refused.
std::vector<std::string> results_of_a_job_fetched_during_terminate(const std::string& payload, bool refuse_first_push) {
    std::mutex mutex;
    std::condition_variable released;
    bool release = false;
    std::atomic<int> fetches{0};
    std::atomic<int> pushes{0};
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") {
            if (++fetches > 1) return "$-1\r\n";
            std::unique_lock lock(mutex);  // the FETCH answers only once the host is terminating
            released.wait_for(lock, 10s, [&] { return release; });
            return bulk(payload);
        }
        if (verb == "PUSH" && ++pushes == 1 && refuse_first_push) return "-ERR shutdown in progress\r\n";
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return fetches.load() == 1; }));
    host.host->request_terminate();
    BOOST_TEST_REQUIRE(eventually([&] { return host.host->state() == LifecycleState::terminating; }));
    {
        std::lock_guard lock(mutex);
        release = true;
    }
    released.notify_all();
    host.runner.join();
    BOOST_TEST(host.exit_code.load() == 0);

    std::vector<std::string> results;
    for (const auto& line : server.commands())
        if (line.rfind("ACK ", 0) == 0 || line.rfind("PUSH ", 0) == 0 || line.rfind("FAIL ", 0) == 0)
            results.push_back(line);
    return results;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_job_fetched_during_terminate_is_given_back_ack_first_then_the_same_payload) {
    const std::string payload =
        R"({"jid":"late-1","jobtype":"Succeed","args":[1,"two"],"queue":"low","retry":0,"custom":{"k":"v"}})";
    const auto results = results_of_a_job_fetched_during_terminate(payload, false);
    BOOST_TEST_REQUIRE(results.size() == 2u);
    BOOST_TEST(results[0] == R"(ACK {"jid":"late-1"})");
    BOOST_TEST_REQUIRE(results[1].rfind("PUSH ", 0) == 0u);
    const auto pushed = json_of(results[1]);
    Poco::JSON::Parser parser;
    const auto original = parser.parse(payload).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(pushed->size() == original->size());
    for (const auto& [key, value] : *original) {
        std::ostringstream a, b;
        Poco::JSON::Stringifier::condense(value, a);
        Poco::JSON::Stringifier::condense(pushed->get(key), b);
        BOOST_TEST(a.str() == b.str(), key);
    }
}

BOOST_AUTO_TEST_CASE(a_refused_give_back_push_is_sent_again_without_a_second_ack) {
    const std::string payload = R"({"jid":"late-2","jobtype":"Succeed","args":[]})";
    const auto results = results_of_a_job_fetched_during_terminate(payload, true);
    // ACK once; the PUSH refused, then sent again: an ACK after it could settle another worker's copy.
    BOOST_TEST_REQUIRE(results.size() == 3u);
    BOOST_TEST(results[0] == R"(ACK {"jid":"late-2"})");
    BOOST_TEST(results[1].rfind("PUSH ", 0) == 0u);
    BOOST_TEST(results[2] == results[1]);
}

BOOST_AUTO_TEST_CASE(a_push_whose_reply_is_lost_reports_outcome_unknown_and_is_not_sent_again) {
    JobFeed feed;
    feed.add(R"({"jid":"pusher-1","jobtype":"PushStatus","args":[]})");
    ScriptedFaktory server([&](const std::string& verb, const std::string&) -> std::optional<std::string> {
        if (verb == "FETCH") return feed.next();
        if (verb == "PUSH") return std::nullopt;  // read it, then close without a reply
        return "+OK\r\n";
    });
    HostUnderTest host(server.url());
    host.start();
    BOOST_TEST_REQUIRE(eventually([&] { return server.commands_starting("FAIL ").size() == 1; }));
    const auto failure = json_of(server.commands_starting("FAIL ").front());
    const auto message = failure->getValue<std::string>("message");
    BOOST_TEST_REQUIRE(server.commands_starting("PUSH ").size() == 1u);
    const auto pushed_jid = jid_of(server.commands_starting("PUSH ").front());
    BOOST_TEST(message.rfind("status=7 jid=" + pushed_jid + ": ", 0) == 0u, message);  // FAKTORY_OUTCOME_UNKNOWN
    BOOST_TEST(message.find("outcome unknown") != std::string::npos, message);
    BOOST_TEST(stays([&] { return server.commands_starting("PUSH ").size() == 1; }, 500ms));
    BOOST_TEST(host.terminate_and_wait() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
