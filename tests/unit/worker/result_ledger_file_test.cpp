// result_ledger_file: ACKs, FAILs and give-backs survive a save and a load
// exactly; the file is private (0600) and replaced whole; bad files are
// reported naming the file and the entry.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"
#include "worker/result_ledger_file.hpp"

namespace fs = std::filesystem;
using faktory_host::protocol::FailureReport;
using faktory_host::testing::TempDir;
using faktory_host::worker::PendingResult;
using faktory_host::worker::ResultLedger;
namespace worker = faktory_host::worker;

BOOST_AUTO_TEST_SUITE(result_ledger_file)

BOOST_AUTO_TEST_CASE(every_kind_of_result_round_trips) {
    TempDir dir;
    ResultLedger ledger;
    ledger.add(PendingResult::ack("a-1", "Alpha"));
    ledger.add(PendingResult::fail("f-1", "Beta", FailureReport{"Shutdown", "the host \"stopped\"\n", {"x.cpp:1", "y.cpp:2"}}));
    auto give_back = PendingResult::give_back("g-1", "Gamma", R"({"jid":"g-1","jobtype":"Gamma","args":[1,"two"],"retry":0})");
    give_back.reservation_released = true;
    ledger.add(give_back);
    const auto file = dir / "results.json";
    worker::save(ledger, file);

    const auto loaded = worker::load(file);
    BOOST_TEST_REQUIRE(loaded.size() == 3u);
    BOOST_TEST((loaded[0].kind() == PendingResult::Kind::ack));
    BOOST_TEST(loaded[0].jid == "a-1");
    BOOST_TEST(loaded[0].jobtype == "Alpha");
    BOOST_TEST((loaded[1].kind() == PendingResult::Kind::fail));
    BOOST_TEST(loaded[1].failure->errtype == "Shutdown");
    BOOST_TEST(loaded[1].failure->message == "the host \"stopped\"\n");
    BOOST_TEST(loaded[1].failure->backtrace == (std::vector<std::string>{"x.cpp:1", "y.cpp:2"}),
               boost::test_tools::per_element());
    BOOST_TEST((loaded[2].kind() == PendingResult::Kind::give_back));
    BOOST_TEST(loaded[2].give_back_payload == give_back.give_back_payload);
    BOOST_TEST(loaded[2].reservation_released);
}

BOOST_AUTO_TEST_CASE(the_file_is_private_and_replaced_whole) {
    TempDir dir;
    const auto file = dir / "results.json";
    std::ofstream(file) << "old contents";
    ::chmod(file.c_str(), 0644);
    ResultLedger ledger;
    ledger.add(PendingResult::ack("a-1", "Alpha"));
    worker::save(ledger, file);
    struct stat info {};
    BOOST_TEST_REQUIRE(::stat(file.c_str(), &info) == 0);
    BOOST_TEST((info.st_mode & 0777) == 0600u);
    BOOST_TEST(worker::load(file).size() == 1u);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
    BOOST_TEST(files == 1u);  // no temporary left behind
}

BOOST_AUTO_TEST_CASE(a_missing_file_holds_nothing_and_an_empty_ledger_saves_an_empty_list) {
    TempDir dir;
    BOOST_TEST(worker::load(dir / "none.json").empty());
    worker::save(ResultLedger{}, dir / "empty.json");
    BOOST_TEST(worker::load(dir / "empty.json").empty());
}

BOOST_AUTO_TEST_CASE(a_damaged_file_is_an_error_naming_the_file_and_entry) {
    TempDir dir;
    const auto file = dir / "results.json";
    std::ofstream(file) << R"({"version":1,"results":[{"jid":"a","jobtype":"T","kind":"ack"},{"jid":"b","jobtype":"T","kind":"fail"}]})";
    try {
        worker::load(file);
        BOOST_FAIL("expected an error");
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find(file.string()) != std::string::npos, message);
        BOOST_TEST(message.find("entry 1") != std::string::npos, message);
    }
    std::ofstream(file, std::ios::trunc) << "{not json";
    BOOST_CHECK_THROW(worker::load(file), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
