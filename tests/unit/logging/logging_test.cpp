// configure_logging / log_job / parse_log_level: what actually reaches the sink.
#include <pthread.h>

#include <sstream>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Runnable.h>
#include <Poco/Thread.h>

#include "logging/logging.hpp"

using faktory_host::logging::configure_logging;
using faktory_host::logging::log_job;
using faktory_host::logging::parse_log_level;

namespace {

// Each case captures into its own stream; afterwards logging goes back to
// stderr so no logger is left pointing at a destroyed stream.
struct CapturedLog {
    std::ostringstream out;
    ~CapturedLog() { configure_logging("information", false); }

    std::vector<std::string> lines() const {
        std::vector<std::string> result;
        std::istringstream in(out.str());
        for (std::string line; std::getline(in, line);) result.push_back(line);
        return result;
    }
};

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

Poco::JSON::Object::Ptr parse(const std::string& line) {
    return Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(logging, CapturedLog)

BOOST_AUTO_TEST_CASE(text_lines_reach_the_sink_with_job_fields) {
    configure_logging("information", false, &out);
    auto& logger = Poco::Logger::get("worker");
    logger.information("started");
    log_job(logger, Poco::Message::PRIO_ERROR, "jid-1", "ResizeImage", "width must be positive");

    const auto written = lines();
    BOOST_TEST_REQUIRE(written.size() == 2u);
    BOOST_TEST(contains(written[0], " INFO  ["), written[0]);
    BOOST_TEST(contains(written[0], "] worker: started"), written[0]);
    BOOST_TEST(contains(written[1], " ERROR ["), written[1]);
    BOOST_TEST(contains(written[1], "] worker: jid=jid-1 jobtype=ResizeImage width must be positive"), written[1]);
}

BOOST_AUTO_TEST_CASE(json_lines_reach_the_sink_with_job_fields) {
    configure_logging("debug", true, &out);
    log_job(Poco::Logger::get("worker"), Poco::Message::PRIO_DEBUG, "jid-2", "Greet", "say \"hello\"\nbye");

    const auto written = lines();
    BOOST_TEST_REQUIRE(written.size() == 1u);
    const auto object = parse(written[0]);
    BOOST_TEST(object->getValue<std::string>("level") == "debug");
    BOOST_TEST(object->getValue<std::string>("logger") == "worker");
    BOOST_TEST(object->getValue<std::string>("jid") == "jid-2");
    BOOST_TEST(object->getValue<std::string>("jobtype") == "Greet");
    BOOST_TEST(object->getValue<std::string>("message") == "say \"hello\"\nbye");
    BOOST_TEST(!object->getValue<std::string>("thread").empty());
}

BOOST_AUTO_TEST_CASE(messages_below_the_level_are_dropped_for_old_and_new_loggers) {
    auto& created_before = Poco::Logger::get("ops-test-early");
    configure_logging("warning", false, &out);
    auto& created_after = Poco::Logger::get("ops-test-late");
    for (auto* logger : {&created_before, &created_after}) {
        logger->information("dropped");
        log_job(*logger, Poco::Message::PRIO_NOTICE, "j", "t", "dropped");
        logger->warning("kept");
        log_job(*logger, Poco::Message::PRIO_ERROR, "j", "t", "kept");
    }
    const auto written = lines();
    BOOST_TEST(written.size() == 4u);
    for (const auto& line : written) BOOST_TEST(contains(line, "kept"), line);
}

BOOST_AUTO_TEST_CASE(a_bad_level_names_the_valid_ones_and_leaves_logging_as_it_was) {
    configure_logging("information", false, &out);
    try {
        configure_logging("info", true, nullptr);
        BOOST_FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& error) {
        BOOST_TEST(std::string(error.what()) ==
                   "unknown log level 'info'; valid levels: trace, debug, information, notice, warning, error, "
                   "critical, fatal");
    }
    Poco::Logger::get("worker").information("still text, still here");
    const auto written = lines();
    BOOST_TEST_REQUIRE(written.size() == 1u);
    BOOST_TEST(contains(written[0], "] worker: still text, still here"), written[0]);
}

BOOST_AUTO_TEST_CASE(parse_log_level_maps_every_poco_name) {
    BOOST_TEST(parse_log_level("trace") == Poco::Message::PRIO_TRACE);
    BOOST_TEST(parse_log_level("information") == Poco::Message::PRIO_INFORMATION);
    BOOST_TEST(parse_log_level("fatal") == Poco::Message::PRIO_FATAL);
    BOOST_CHECK_THROW(parse_log_level("INFO"), std::invalid_argument);
    BOOST_CHECK_THROW(parse_log_level(""), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(reconfiguring_switches_format_and_sink_for_existing_loggers) {
    auto& logger = Poco::Logger::get("worker");
    std::ostringstream first;
    configure_logging("information", false, &first);
    logger.information("to text");
    configure_logging("information", true, &out);
    logger.information("to json");
    BOOST_TEST(contains(first.str(), "worker: to text"));
    BOOST_TEST(!contains(first.str(), "to json"));
    const auto written = lines();
    BOOST_TEST_REQUIRE(written.size() == 1u);
    BOOST_TEST(parse(written[0])->getValue<std::string>("message") == "to json");
}

BOOST_AUTO_TEST_CASE(the_thread_is_named_for_poco_threads_and_named_std_threads) {
    configure_logging("information", true, &out);
    struct LogOnce : Poco::Runnable {
        void run() override { Poco::Logger::get("worker").information("from poco"); }
    } log_once;
    Poco::Thread poco_thread("processor-3");
    poco_thread.start(log_once);
    poco_thread.join();
    std::thread std_thread([] {
        pthread_setname_np(pthread_self(), "heartbeat");
        Poco::Logger::get("worker").information("from std");
    });
    std_thread.join();

    const auto written = lines();
    BOOST_TEST_REQUIRE(written.size() == 2u);
    BOOST_TEST(parse(written[0])->getValue<std::string>("thread") == "processor-3");
    BOOST_TEST(parse(written[1])->getValue<std::string>("thread") == "heartbeat");
}

BOOST_AUTO_TEST_CASE(lines_from_concurrent_threads_never_interleave) {
    configure_logging("information", true, &out);
    constexpr int threads = 8;
    constexpr int per_thread = 300;
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
        writers.emplace_back([t] {
            auto& logger = Poco::Logger::get("worker");
            for (int i = 0; i < per_thread; ++i)
                log_job(logger, Poco::Message::PRIO_INFORMATION, "jid-" + std::to_string(t), "Load",
                        std::string(200, static_cast<char>('a' + t)));
        });
    }
    for (auto& writer : writers) writer.join();

    const auto written = lines();
    BOOST_TEST_REQUIRE(written.size() == static_cast<std::size_t>(threads * per_thread));
    for (const auto& line : written) {
        const auto object = parse(line);  // throws on a torn line
        const auto jid = object->getValue<std::string>("jid");
        const char letter = static_cast<char>('a' + std::stoi(jid.substr(4)));
        BOOST_TEST_REQUIRE(object->getValue<std::string>("message") == std::string(200, letter));
    }
}

BOOST_AUTO_TEST_SUITE_END()
