// StateDirectory: created private when missing, locked by one live host at a
// time (the second is refused with the directory and the holder's pid), and
// free again once the holder is gone, however it went.
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"
#include "worker/state_directory.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using faktory_host::testing::ChildProcess;
using faktory_host::testing::eventually;
using faktory_host::testing::TempDir;
using faktory_host::worker::StateDirectory;

namespace {

unsigned mode_of(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0;
    return info.st_mode & 0777;
}

std::string refusal(const fs::path& path) {
    try {
        StateDirectory second(path);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_SUITE(state_directory)

BOOST_AUTO_TEST_CASE(a_missing_directory_is_created_private_with_a_private_lock_file_naming_our_pid) {
    TempDir dir;
    const auto path = dir / "deep" / "state";
    const StateDirectory state(path);
    BOOST_TEST(fs::is_directory(path));
    BOOST_TEST(mode_of(path) == 0700u);
    BOOST_TEST(mode_of(path / "host.lock") == 0600u);
    std::ifstream lock(path / "host.lock");
    int pid = 0;
    lock >> pid;
    BOOST_TEST(pid == ::getpid());
    BOOST_TEST(state.job_journal_file() == path / "jobs-in-flight.journal");
    BOOST_TEST(state.result_ledger_file() == path / "results.json");
}

BOOST_AUTO_TEST_CASE(a_second_holder_is_refused_with_the_directory_and_the_holders_pid) {
    TempDir dir;
    const auto path = dir / "state";
    {
        const StateDirectory first(path);
        const auto message = refusal(path);
        BOOST_TEST(contains(message, "state directory " + path.string() + " (worker.state_dir) is in use by another "
                                     "faktory-host (pid " + std::to_string(::getpid()) + ")"),
                   message);
    }
    BOOST_TEST(refusal(path).empty());  // released with its holder
}

BOOST_AUTO_TEST_CASE(another_process_holding_it_is_named_and_its_death_frees_it) {
    TempDir dir;
    const auto path = dir / "state";
    const auto held = dir / "held";
    ChildProcess child(
        [&] {
            const StateDirectory state(path);
            std::ofstream(held) << "x";
            while (true) std::this_thread::sleep_for(10ms);
        },
        dir / "child.err");
    BOOST_TEST_REQUIRE(eventually([&] { return fs::exists(held); }));
    const auto message = refusal(path);
    BOOST_TEST(contains(message, "(pid " + std::to_string(child.pid()) + ")"), message);
    ::kill(child.pid(), SIGKILL);  // no chance to clean up: the kernel drops the lock
    child.wait();
    BOOST_TEST(refusal(path).empty());
}

BOOST_AUTO_TEST_CASE(a_directory_others_can_write_to_is_refused) {
    TempDir dir;
    const auto path = dir / "state";
    fs::create_directory(path);
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_all, fs::perm_options::replace);
    const auto message = refusal(path);
    BOOST_TEST(contains(message, "writable by group or others; chmod 700 " + path.string()), message);
}

BOOST_AUTO_TEST_CASE(a_file_in_place_of_the_directory_is_refused) {
    TempDir dir;
    std::ofstream(dir / "state") << "x";
    const auto message = refusal(dir / "state");
    BOOST_TEST(contains(message, "state directory " + (dir / "state").string()), message);
}

BOOST_AUTO_TEST_SUITE_END()
