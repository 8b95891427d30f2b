// Structured log fields from plugins (SDK 1.1) as the host prints them: text
// lines get "key=value" after jid and jobtype, JSON lines a "fields" object.
#include <boost/test/unit_test.hpp>

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>

#include "logging/logging.hpp"

using faktory_host::logging::configure_logging;
using faktory_host::logging::log_fields;

namespace {

struct Captured {
    std::ostringstream out;
    ~Captured() { configure_logging("information", false); }
};

} // namespace

BOOST_AUTO_TEST_CASE(text_lines_show_fields_as_key_value_pairs) {
    Captured captured;
    configure_logging("information", false, &captured.out);
    log_fields(Poco::Logger::get("faktory.worker"), Poco::Message::PRIO_WARNING, "j1", "Charge", "charged",
               {{"amount", "12.50"}, {"note", "two\nlines"}});
    const std::string line = captured.out.str();
    BOOST_TEST(line.find("jid=j1 jobtype=Charge amount=12.50 note=two\\nlines charged") != std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(json_lines_carry_a_fields_object) {
    Captured captured;
    configure_logging("information", true, &captured.out);
    log_fields(Poco::Logger::get("faktory.worker"), Poco::Message::PRIO_INFORMATION, "", "", "plugin p: started",
               {{"b", "2"}, {"a", "1"}});
    Poco::JSON::Parser parser;
    const auto line = parser.parse(captured.out.str()).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(line->getValue<std::string>("message") == "plugin p: started");
    BOOST_TEST(!line->has("jid"));
    const auto fields = line->getObject("fields");
    BOOST_TEST_REQUIRE(fields);
    BOOST_TEST(fields->getValue<std::string>("a") == "1");
    BOOST_TEST(fields->getValue<std::string>("b") == "2");
}

BOOST_AUTO_TEST_CASE(fields_below_the_level_cost_nothing_and_print_nothing) {
    Captured captured;
    configure_logging("warning", false, &captured.out);
    log_fields(Poco::Logger::get("faktory.worker"), Poco::Message::PRIO_INFORMATION, "j", "T", "quiet", {{"k", "v"}});
    BOOST_TEST(captured.out.str().empty());
}
