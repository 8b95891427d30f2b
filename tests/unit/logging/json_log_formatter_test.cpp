// JsonLogFormatter: one valid JSON object per line, fields in a fixed order,
// escaping that round-trips any text.
#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Message.h>
#include <Poco/Timestamp.h>

#include "logging/json_log_formatter.hpp"

using faktory_host::logging::JsonLogFormatter;

namespace {

Poco::Message message_at_fixed_time(const std::string& text) {
    Poco::Message message("worker", text, Poco::Message::PRIO_INFORMATION);
    message.setTime(Poco::Timestamp(1795874400123000));  // 2026-11-28T14:00:00.123Z
    message.setThread("processor-3");
    return message;
}

std::string format(const Poco::Message& message) {
    JsonLogFormatter formatter;
    std::string line;
    formatter.format(message, line);
    return line;
}

Poco::JSON::Object::Ptr parse(const std::string& line) {
    return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_log_formatter)

BOOST_AUTO_TEST_CASE(a_line_is_a_compact_object_with_time_level_logger_thread_and_message) {
    BOOST_TEST(format(message_at_fixed_time("connected")) ==
               R"({"time":"2026-11-28T14:00:00.123Z","level":"information","logger":"worker",)"
               R"("thread":"processor-3","message":"connected"})");
}

BOOST_AUTO_TEST_CASE(a_job_line_adds_jid_and_jobtype_fields) {
    auto message = message_at_fixed_time("done");
    message.set("jid", "abc123");
    message.set("jobtype", "ResizeImage");
    const auto object = parse(format(message));
    BOOST_TEST(object->getValue<std::string>("jid") == "abc123");
    BOOST_TEST(object->getValue<std::string>("jobtype") == "ResizeImage");
    BOOST_TEST(object->getValue<std::string>("message") == "done");
}

BOOST_AUTO_TEST_CASE(lines_without_a_job_have_no_job_fields) {
    const auto object = parse(format(message_at_fixed_time("idle")));
    BOOST_TEST(!object->has("jid"));
    BOOST_TEST(!object->has("jobtype"));
}

BOOST_AUTO_TEST_CASE(quotes_backslashes_line_breaks_and_control_characters_round_trip_on_one_line) {
    const std::string nasty = "say \"hi\"\nback\\slash\r\ttab \x01 caf\xc3\xa9 </script>";
    auto message = message_at_fixed_time(nasty);
    message.set("jid", "j\"1\n");
    const auto line = format(message);
    BOOST_TEST(line.find('\n') == std::string::npos);
    BOOST_TEST(line.find('\r') == std::string::npos);
    const auto object = parse(line);
    BOOST_TEST(object->getValue<std::string>("message") == nasty);
    BOOST_TEST(object->getValue<std::string>("jid") == "j\"1\n");
}

BOOST_AUTO_TEST_SUITE_END()
