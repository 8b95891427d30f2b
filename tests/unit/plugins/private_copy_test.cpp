// Private copies: read completely (a file still being written is refused),
// made in memory and loadable where the temporary folder is mounted noexec,
// and in a file in plugins.copy_dir only where memfd_create is refused.
#include <boost/test/unit_test.hpp>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/StreamChannel.h>

#include "fixture_plugins.hpp"
#include "plugins/private_copy.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace plugins = faktory_host::plugins;
using faktory_host::testing::deploy;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::job;
using faktory_host::testing::RecordingServices;
using faktory_host::testing::TempDir;
using namespace std::chrono_literals;

namespace {

std::string file_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Sets an environment variable for one scope.
struct ScopedEnv {
    std::string name;
    std::optional<std::string> old;
    ScopedEnv(std::string name_, const std::string& value) : name(std::move(name_)) {
        if (const char* was = std::getenv(name.c_str())) old = was;
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old) ::setenv(name.c_str(), old->c_str(), 1);
        else ::unsetenv(name.c_str());
    }
};

// A tmpfs mounted noexec, as /tmp is on many hardened hosts; empty when this
// process may not mount (the test then says so and stops).
struct NoexecMount {
    TempDir dir;
    bool mounted = false;
    NoexecMount() { mounted = ::mount("tmpfs", dir.path().c_str(), "tmpfs", MS_NOEXEC | MS_NOSUID, "size=32m") == 0; }
    ~NoexecMount() {
        if (mounted) ::umount2(dir.path().c_str(), MNT_DETACH);
    }
};

// In a child process: makes memfd_create fail with EPERM, as a seccomp policy
// forbidding it does.
bool forbid_memfd_create() {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(reads_the_whole_file) {
    const auto bytes = plugins::read_whole_plugin_file(fixture_plugin("good"));
    BOOST_TEST(std::string(bytes.begin(), bytes.end()) == file_text(fixture_plugin("good")));
}

BOOST_AUTO_TEST_CASE(a_file_that_grows_while_it_is_read_is_refused) {
    TempDir dir;
    const fs::path file = dir / "growing.so";
    { std::ofstream(file.string(), std::ios::binary) << std::string(4 << 20, 'x'); }
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        std::ofstream out(file.string(), std::ios::binary | std::ios::app);
        while (!stop) out.write("y", 1).flush();
    });
    // The writer appends all the time; a read overlapping an append must be refused.
    std::string refusal;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (refusal.empty() && std::chrono::steady_clock::now() < deadline) {
        try {
            plugins::read_whole_plugin_file(file);
        } catch (const std::runtime_error& e) {
            refusal = e.what();
        }
    }
    stop = true;
    writer.join();
    BOOST_TEST(refusal.find("still being written") != std::string::npos, refusal);
    BOOST_TEST(refusal.find(".name.so.tmp") != std::string::npos, refusal);
}

BOOST_AUTO_TEST_CASE(a_file_larger_than_the_limit_is_refused_without_reading_it) {
    TempDir dir;
    const fs::path sparse = dir / "huge.so";
    std::ofstream(sparse.string()).close();
    fs::resize_file(sparse, static_cast<std::uintmax_t>(plugins::max_plugin_file_bytes) + 1);  // sparse: no disk used
    try {
        plugins::read_whole_plugin_file(sparse);
        BOOST_FAIL("a file over the limit was read");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("more than the 1024 MiB a plugin may have") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(a_directory_or_a_missing_file_is_refused) {
    TempDir dir;
    BOOST_CHECK_THROW(plugins::read_whole_plugin_file(dir.path()), std::runtime_error);
    BOOST_CHECK_THROW(plugins::read_whole_plugin_file(dir / "absent.so"), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(the_copy_is_made_in_memory_and_leaves_no_file) {
    TempDir fallback;
    const std::string text = "the bytes of a plugin";
    const std::vector<unsigned char> bytes(text.begin(), text.end());
    plugins::PrivateCopy copy(bytes, "faktory-host-plugins-test-a.so", fallback.path());
    BOOST_TEST(copy.in_memory());
    BOOST_TEST(copy.load_path().string().rfind("/proc/self/fd/", 0) == 0u, copy.load_path());
    BOOST_TEST(copy.mapped_name() == fs::path("/memfd:faktory-host-plugins-test-a.so"));
    BOOST_TEST(file_text(copy.load_path()) == text);
    BOOST_TEST(fs::is_empty(fallback.path()));
}

BOOST_AUTO_TEST_CASE(plugins_load_when_the_temporary_folder_is_mounted_noexec) {
    NoexecMount noexec;
    if (!noexec.mounted) {
        BOOST_TEST_MESSAGE("skipped: cannot mount a tmpfs here (" << std::strerror(errno) << ")");
        return;
    }
    TempDir plugins_dir;
    const ScopedEnv tmpdir("TMPDIR", noexec.dir.path().string());
    deploy(fixture_plugin("good"), plugins_dir.path());
    plugins::LoaderOptions options;
    options.dir = plugins_dir.path();
    plugins::LoadReport report;
    auto generation = plugins::PluginGeneration::load(options, report);
    // The message is built whether or not the check fails: never read front() of an empty list.
    BOOST_TEST_REQUIRE(report.errors.empty(), (report.errors.empty() ? "" : report.errors.front().message));
    BOOST_TEST(generation->plugins().at(0).image_path.string().rfind("/memfd:", 0) == 0u);
    RecordingServices services;
    BOOST_TEST((generation->run(job("Succeed"), {}, services.services).status ==
                plugins::JobOutcome::Status::ack));
    BOOST_TEST(fs::is_empty(noexec.dir.path()));
}

BOOST_AUTO_TEST_CASE(where_memfd_create_is_refused_the_copy_goes_to_copy_dir_and_the_log_says_so) {
    TempDir copy_dir;
    TempDir plugins_dir;
    deploy(fixture_plugin("good"), plugins_dir.path());
    const pid_t child = ::fork();
    BOOST_TEST_REQUIRE(child >= 0);
    if (child == 0) {
        // The child is single-threaded, so it may use the loader freely before _exit.
        std::ostringstream log;
        Poco::AutoPtr<Poco::StreamChannel> channel(new Poco::StreamChannel(log));
        Poco::Logger::get("faktory.plugins").setChannel(channel);
        if (!forbid_memfd_create()) ::_exit(10);
        plugins::LoaderOptions options;
        options.dir = plugins_dir.path();
        options.copy_dir = copy_dir.path();
        plugins::LoadReport report;
        auto generation = plugins::PluginGeneration::load(options, report);
        if (!report.errors.empty()) ::_exit(11);
        const auto image = generation->plugins().at(0).image_path;
        if (image.parent_path() != copy_dir.path()) ::_exit(12);
        if (!fs::is_empty(copy_dir.path())) ::_exit(13);  // removed once mapped
        RecordingServices services;
        if (generation->run(job("Succeed"), {}, services.services).status != plugins::JobOutcome::Status::ack)
            ::_exit(14);
        if (log.str().find("cannot be made in memory (memfd_create: Operation not permitted)") == std::string::npos)
            ::_exit(15);
        if (log.str().find(copy_dir.path().string()) == std::string::npos) ::_exit(16);
        ::_exit(0);
    }
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_TEST_REQUIRE(WIFEXITED(status));
    // 10: no seccomp here; 11: not loaded; 12: not in copy_dir; 13: left behind; 14: job failed; 15/16: no log line.
    BOOST_TEST(WEXITSTATUS(status) == 0);
}
