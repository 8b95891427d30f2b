// unsafe_reason(): which modes and owners make a plugin path unsafe, and that
// the reason says how to fix it.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "plugins/file_safety.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using faktory_host::plugins::unsafe_reason;
using faktory_host::testing::TempDir;

namespace {

fs::path file_with_mode(const TempDir& dir, mode_t mode) {
    const fs::path file = dir / "plugin.so";
    std::ofstream(file.string()) << "x";
    BOOST_TEST_REQUIRE(::chmod(file.c_str(), mode) == 0);
    return file;
}

} // namespace

BOOST_AUTO_TEST_CASE(owner_writable_file_of_our_user_is_safe) {
    TempDir dir;
    BOOST_TEST(unsafe_reason(file_with_mode(dir, 0755)) == "");
    BOOST_TEST(unsafe_reason(dir.path()) == "");  // 0700 from mkdtemp
}

BOOST_AUTO_TEST_CASE(group_writable_file_is_unsafe_and_the_reason_gives_the_fix) {
    TempDir dir;
    const auto file = file_with_mode(dir, 0664);
    const auto reason = unsafe_reason(file);
    BOOST_TEST(reason.find("writable by its group (mode 0664)") != std::string::npos, reason);
    BOOST_TEST(reason.find("chmod go-w " + file.string()) != std::string::npos, reason);
    BOOST_TEST(reason.find("check_permissions") != std::string::npos, reason);
}

BOOST_AUTO_TEST_CASE(world_writable_directory_is_unsafe) {
    TempDir dir;
    BOOST_TEST_REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
    BOOST_TEST(unsafe_reason(dir.path()).find("writable by others") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(file_of_another_user_is_unsafe_and_the_reason_says_chown) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("skipped: only root can give a file to another user");
        return;
    }
    TempDir dir;
    const auto file = file_with_mode(dir, 0644);
    BOOST_TEST_REQUIRE(::chown(file.c_str(), 65534, 65534) == 0);
    const auto reason = unsafe_reason(file);
    BOOST_TEST(reason.find("owned by uid 65534") != std::string::npos, reason);
    BOOST_TEST(reason.find("chown") != std::string::npos, reason);
}

BOOST_AUTO_TEST_CASE(missing_file_is_reported_not_accepted) {
    TempDir dir;
    BOOST_TEST(unsafe_reason(dir / "absent.so").find("cannot stat") != std::string::npos);
}
