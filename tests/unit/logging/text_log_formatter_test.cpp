// TextLogFormatter: the exact shape of a text log line, job fields, escaping.
#include <boost/test/unit_test.hpp>

#include <Poco/Message.h>
#include <Poco/Timestamp.h>

#include "logging/logging.hpp"
#include "logging/text_log_formatter.hpp"

using faktory_host::logging::TextLogFormatter;

namespace {

// 2026-11-28T14:00:00.123Z
Poco::Message message_at_fixed_time(const std::string& text, Poco::Message::Priority priority) {
    Poco::Message message("worker", text, priority);
    message.setTime(Poco::Timestamp(1795874400123000));
    message.setThread("processor-3");
    return message;
}

std::string format(const Poco::Message& message) {
    TextLogFormatter formatter;
    std::string line;
    formatter.format(message, line);
    return line;
}

} // namespace

BOOST_AUTO_TEST_SUITE(text_log_formatter)

BOOST_AUTO_TEST_CASE(a_line_has_utc_time_with_millis_padded_level_thread_logger_and_text) {
    const auto line = format(message_at_fixed_time("connected", Poco::Message::PRIO_INFORMATION));
    BOOST_TEST(line == "2026-11-28T14:00:00.123Z INFO  [processor-3] worker: connected");
}

BOOST_AUTO_TEST_CASE(a_job_line_carries_jid_and_jobtype_before_the_text) {
    auto message = message_at_fixed_time("done", Poco::Message::PRIO_WARNING);
    message.set("jid", "abc123");
    message.set("jobtype", "ResizeImage");
    BOOST_TEST(format(message) == "2026-11-28T14:00:00.123Z WARN  [processor-3] worker: jid=abc123 "
                                  "jobtype=ResizeImage done");
}

BOOST_AUTO_TEST_CASE(every_priority_has_a_short_name) {
    const std::pair<Poco::Message::Priority, std::string> expected[] = {
        {Poco::Message::PRIO_TRACE, "TRACE "},     {Poco::Message::PRIO_DEBUG, "DEBUG "},
        {Poco::Message::PRIO_INFORMATION, "INFO  "}, {Poco::Message::PRIO_NOTICE, "NOTICE "},
        {Poco::Message::PRIO_WARNING, "WARN  "},   {Poco::Message::PRIO_ERROR, "ERROR "},
        {Poco::Message::PRIO_CRITICAL, "CRIT  "},  {Poco::Message::PRIO_FATAL, "FATAL "},
    };
    for (const auto& [priority, name] : expected)
        BOOST_TEST(format(message_at_fixed_time("x", priority)).substr(25, name.size()) == name);
}

BOOST_AUTO_TEST_CASE(line_breaks_and_control_characters_are_escaped_so_one_message_is_one_line) {
    auto message = message_at_fixed_time("first\nsecond\r\x01 \"quoted\"\ttab", Poco::Message::PRIO_ERROR);
    message.set("jid", "j\nx");
    const auto line = format(message);
    BOOST_TEST(line.find('\n') == std::string::npos);
    BOOST_TEST(line == "2026-11-28T14:00:00.123Z ERROR [processor-3] worker: jid=j\\nx "
                       "first\\nsecond\\r\\x01 \"quoted\"\ttab");
}

BOOST_AUTO_TEST_CASE(the_root_logger_has_no_logger_name_in_the_line) {
    Poco::Message message("", "hello", Poco::Message::PRIO_NOTICE);
    message.setTime(Poco::Timestamp(1795874400123000));
    message.setThread("main");
    BOOST_TEST(format(message) == "2026-11-28T14:00:00.123Z NOTICE [main] hello");
}

BOOST_AUTO_TEST_SUITE_END()
