// The worker engine against a scripted Faktory that refuses results, hands
// out malformed jobs, loses a PUSH reply, or answers a FETCH only once the
// host is terminating. Each test reads the commands the host sent.
#include <boost/test/unit_test.hpp>

#include <condition_variable>
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

} // namespace

BOOST_AUTO_TEST_SUITE(hostile_server)

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
    // Between the refused ACK and its re-send the processor fetched nothing.
    const auto commands = server.commands();
    std::size_t first_ack = 0, second_ack = 0;
    for (std::size_t i = 0, seen = 0; i < commands.size(); ++i)
        if (commands[i].rfind("ACK ", 0) == 0) (++seen == 1 ? first_ack : second_ack) = i;
    for (std::size_t i = first_ack + 1; i < second_ack; ++i) BOOST_TEST(commands[i].rfind("FETCH", 0) != 0u, commands[i]);
    // Delivered: not sent a third time.
    BOOST_TEST(stays([&] { return server.commands_starting("ACK ").size() == 2; }, 500ms));
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
