// Wire-level behaviour the client cannot express: LF-only lines, unknown verbs,
// malformed arguments, Enterprise-only verbs, END, and the line-length bound.
#include <boost/test/unit_test.hpp>

#include "dev_server_fixture.hpp"

using namespace faktory_host::devserver;
using namespace faktory_host::devserver::test;

BOOST_AUTO_TEST_SUITE(devserver_wire)

BOOST_AUTO_TEST_CASE(lines_ending_in_lf_only_are_accepted) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.read_line();
    raw.send("HELLO {\"v\":2}\n");
    BOOST_TEST(raw.read_line() == "+OK\r\n");
    raw.send("PUSH {\"jid\":\"lfonly123\",\"jobtype\":\"X\",\"args\":[]}\nFETCH default\n");
    BOOST_TEST(raw.read_line() == "+OK\r\n");
    BOOST_TEST(raw.read_reply().find("\"jid\":\"lfonly123\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_verb_is_named_in_the_error) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.handshake();
    raw.send("FROB {\"x\":1}\r\n");
    BOOST_TEST(raw.read_line() == "-ERR unknown command FROB\r\n");
    raw.send("push {}\r\n");  // verbs are case-sensitive
    BOOST_TEST(raw.read_line() == "-ERR unknown command push\r\n");
}

BOOST_AUTO_TEST_CASE(malformed_arguments_are_errors_and_the_connection_lives_on) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.handshake();
    raw.send("ACK not-json\r\n");
    BOOST_TEST(raw.read_line() == "-ERR invalid ACK not-json\r\n");
    raw.send("FAIL [1]\r\n");
    BOOST_TEST(raw.read_line() == "-ERR invalid FAIL [1]\r\n");
    raw.send("BEAT {oops\r\n");
    BOOST_TEST(raw.read_line() == "-ERR invalid BEAT {oops\r\n");
    raw.send("PUSHB {}\r\n");
    BOOST_TEST(raw.read_line().rfind("-ERR invalid JSON: ", 0) == 0);
    raw.send("MUTATE {\"cmd\": \"clear\"}\r\n");
    BOOST_TEST(raw.read_line() == "-ERR invalid format\r\n");
    raw.send("INFO\r\n");
    BOOST_TEST(raw.read_reply().rfind("$", 0) == 0);
}

BOOST_AUTO_TEST_CASE(batch_and_track_are_enterprise_only) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.handshake();
    raw.send("BATCH NEW {}\r\n");
    BOOST_TEST(raw.read_line() == "-ERR batch subsystem is only available in Faktory Enterprise\r\n");
    raw.send("TRACK GET x\r\n");
    BOOST_TEST(raw.read_line() == "-ERR tracking subsystem is only available in Faktory Enterprise\r\n");
}

BOOST_AUTO_TEST_CASE(end_closes_the_connection) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.handshake();
    raw.send("END\r\n");
    BOOST_TEST(raw.closed_by_server());
}

BOOST_AUTO_TEST_CASE(a_command_line_beyond_the_bound_is_refused_and_the_connection_closed) {
    StartedServer s;
    RawConnection raw(s.server.port());
    raw.handshake();
    const std::string huge(17 * 1024 * 1024, 'x');  // over the 16 MiB bound, no newline
    try {
        raw.send("PUSH " + huge);
    } catch (const Poco::Exception&) {
        // The server may close before it has read everything; the reply below still tells.
    }
    const std::string reply = raw.read_line();
    BOOST_TEST(reply.rfind("-ERR command line longer than", 0) == 0);
    BOOST_TEST(raw.closed_by_server());
    BOOST_TEST(s.client()->info().total_enqueued == 0);  // and the server is fine
}

BOOST_AUTO_TEST_SUITE_END()
