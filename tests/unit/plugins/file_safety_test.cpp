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

// The whole path, as OpenSSH's StrictModes and sudo check it: every folder on
// the way, following symlinks, and the owner rule on what the path resolves to.
namespace {

// root/<name> with `mode`, created fresh.
fs::path folder(const fs::path& parent, const std::string& name, mode_t mode) {
    const fs::path dir = parent / name;
    fs::create_directory(dir);
    BOOST_TEST_REQUIRE(::chmod(dir.c_str(), mode) == 0);
    return dir;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(a_world_writable_folder_on_the_way_is_unsafe_and_named) {
    TempDir root;
    const auto open = folder(root.path(), "open", 0777);
    const auto plugins = folder(open, "plugins", 0755);
    const auto reason = unsafe_reason(plugins);
    BOOST_TEST(contains(reason, open.string() + ", a folder on the way to " + plugins.string()), reason);
    BOOST_TEST(contains(reason, "writable by others (mode 0777)"), reason);
    BOOST_TEST(contains(reason, "chmod go-w " + open.string()), reason);
    BOOST_TEST(!unsafe_reason(plugins / ".." / ".." / "open" / "plugins").empty());  // however it is spelled
}

BOOST_AUTO_TEST_CASE(a_group_writable_folder_on_the_way_is_unsafe) {
    TempDir root;
    const auto shared = folder(root.path(), "shared", 0775);
    const auto plugins = folder(shared, "plugins", 0755);
    BOOST_TEST(contains(unsafe_reason(plugins), "writable by its group (mode 0775)"), unsafe_reason(plugins));
}

BOOST_AUTO_TEST_CASE(a_sticky_root_owned_folder_on_the_way_is_safe_but_not_one_owned_by_another_user) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("skipped: needs root to own the sticky folder and to give it away");
        return;
    }
    TempDir root;
    const auto sticky = folder(root.path(), "sticky", 01777);  // like /tmp
    const auto plugins = folder(sticky, "plugins", 0755);
    BOOST_TEST(unsafe_reason(plugins) == "");
    BOOST_TEST_REQUIRE(::chown(sticky.c_str(), 65534, 65534) == 0);
    BOOST_TEST(contains(unsafe_reason(plugins), "not a sticky folder owned by root"), unsafe_reason(plugins));
}

BOOST_AUTO_TEST_CASE(a_plugins_folder_that_is_a_symlink_into_a_world_writable_folder_is_unsafe) {
    TempDir root;
    const auto open = folder(root.path(), "open", 0777);
    const auto real = folder(open, "plugins", 0755);
    const auto safe = folder(root.path(), "safe", 0755);
    fs::create_directory_symlink(real, safe / "plugins");
    const auto reason = unsafe_reason(safe / "plugins");
    BOOST_TEST(contains(reason, open.string() + ", a folder on the way to " + (safe / "plugins").string()), reason);

    // The same through a relative link.
    fs::create_directory_symlink("../open/plugins", safe / "relative");
    BOOST_TEST(contains(unsafe_reason(safe / "relative"), open.string() + ", a folder"), unsafe_reason(safe / "relative"));

    // And a link into a safe place is fine.
    const auto good = folder(root.path(), "good", 0755);
    fs::create_directory_symlink(good, safe / "fine");
    BOOST_TEST(unsafe_reason(safe / "fine") == "");
}

BOOST_AUTO_TEST_CASE(a_plugin_that_is_a_symlink_into_a_world_writable_folder_is_unsafe) {
    TempDir root;
    const auto open = folder(root.path(), "open", 0777);
    std::ofstream((open / "real.so").string()) << "x";
    BOOST_TEST_REQUIRE(::chmod((open / "real.so").c_str(), 0644) == 0);
    const auto plugins = folder(root.path(), "plugins", 0755);
    fs::create_symlink(open / "real.so", plugins / "hello.so");
    const auto reason = unsafe_reason(plugins / "hello.so");
    BOOST_TEST(contains(reason, open.string() + ", a folder on the way to " + (plugins / "hello.so").string()), reason);
}

BOOST_AUTO_TEST_CASE(the_owner_rule_applies_to_what_a_symlink_resolves_to) {
    TempDir root;
    const auto elsewhere = folder(root.path(), "elsewhere", 0755);
    std::ofstream((elsewhere / "real.so").string()) << "x";
    BOOST_TEST_REQUIRE(::chmod((elsewhere / "real.so").c_str(), 0666) == 0);
    const auto plugins = folder(root.path(), "plugins", 0755);
    fs::create_symlink(elsewhere / "real.so", plugins / "hello.so");  // the link itself is always 0777
    const auto reason = unsafe_reason(plugins / "hello.so");
    BOOST_TEST(contains(reason, (plugins / "hello.so").string() + " (which resolves to " +
                                    (elsewhere / "real.so").string() + ") is writable by others"),
               reason);
    BOOST_TEST_REQUIRE(::chmod((elsewhere / "real.so").c_str(), 0644) == 0);
    BOOST_TEST(unsafe_reason(plugins / "hello.so") == "");
    if (::geteuid() == 0) {
        BOOST_TEST_REQUIRE(::chown((elsewhere / "real.so").c_str(), 65534, 65534) == 0);
        BOOST_TEST(contains(unsafe_reason(plugins / "hello.so"), "owned by uid 65534"), unsafe_reason(plugins / "hello.so"));
    }
}

BOOST_AUTO_TEST_CASE(a_symlink_loop_is_reported_not_followed_forever) {
    TempDir root;
    fs::create_symlink(root / "b", root / "a");
    fs::create_symlink(root / "a", root / "b");
    BOOST_TEST(contains(unsafe_reason(root / "a"), "too many levels of symbolic links"), unsafe_reason(root / "a"));
}
