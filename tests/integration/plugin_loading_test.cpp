// The plugin loader inside the real process: corrupt plugin files are refused
// by `check` and by a reload (which keeps the old generation serving and uses
// up no generation number), and a plugin that leaves a thread running survives
// twenty reloads under load with only the generations still needed mapped.
#include <boost/test/unit_test.hpp>

#include <sys/mount.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <set>
#include <string>

#include "fixtures/plugins/corrupt_elf.hpp"
#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using faktory_host::testing::all_elf_damage;
using faktory_host::testing::damage_name;
using faktory_host::testing::damage_words;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;
using faktory_host::testing::write_damaged_plugin;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
    return count;
}

// The wids of workers the dev server lists as running.
std::set<std::string> running_wids(HostRig& rig) {
    std::set<std::string> wids;
    const auto workers = rig.stats_array("workers");
    for (std::size_t i = 0; i < workers->size(); ++i) {
        const auto worker = workers->getObject(static_cast<unsigned>(i));
        if (worker->getValue<std::string>("state") == "running") wids.insert(worker->getValue<std::string>("wid"));
    }
    return wids;
}

// SIGHUP, then wait for a running wid not seen before. Once the host says
// `current` fetches nothing more (the reload has begun), `while_draining` runs,
// so jobs are fetched and run while the new generation loads; if the line
// never shows, it runs anyway: only speed depends on it). The signal is sent again when nothing comes, so a host that spaces
// reloads out still gets there.
template <typename WhileDraining>
std::string reload(HostRig& rig, std::set<std::string>& seen_wids, const std::string& current,
                   WhileDraining&& while_draining) {
    const auto deadline = std::chrono::steady_clock::now() + 25s;
    bool drained_once = false;
    while (std::chrono::steady_clock::now() < deadline) {
        rig.host().send(SIGHUP);
        if (!drained_once) {
            eventually([&] { return contains(rig.host().output(), "reload: wid " + current + " fetches nothing more"); }, 3s, 5ms);
            while_draining();
            drained_once = true;
        }
        std::string fresh;
        eventually(
            [&] {
                for (const auto& wid : running_wids(rig))
                    if (!seen_wids.count(wid)) fresh = wid;
                return !fresh.empty();
            },
            10s);  // a reload takes well under a second; resending sooner could queue a second one
        if (!fresh.empty()) {
            seen_wids.insert(fresh);
            return fresh;
        }
    }
    return "";
}

std::string record_args(const fs::path& trace, const std::string& text) {
    return "[" + HostRig::quoted(trace) + ",\"" + text + "\"]";
}

bool has_line(const fs::path& file, const std::string& line) {
    const auto lines = HostRig::lines(file);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// Distinct private copies of `file` mapped in process `pid` (each generation has its own).
std::set<std::string> mapped_copies(pid_t pid, const std::string& file) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::set<std::string> copies;
    for (std::string line; std::getline(maps, line);) {
        const auto at = line.find("faktory-host-plugins-");
        if (at == std::string::npos) continue;
        auto name = line.substr(at);
        if (const auto deleted = name.find(" (deleted)"); deleted != std::string::npos) name.resize(deleted);
        if (name.size() > file.size() && name.compare(name.size() - file.size(), file.size(), file) == 0 &&
            name[name.size() - file.size() - 1] == '-')
            copies.insert(name);
    }
    return copies;
}

fs::path lingering_fixture() { return LINGERING_FIXTURE; }

} // namespace

BOOST_AUTO_TEST_CASE(check_refuses_each_kind_of_corrupt_elf_naming_the_file_and_lists_the_good_plugin) {
    for (const auto damage : all_elf_damage) {
        BOOST_TEST_CONTEXT(damage_name(damage)) {
            HostRig rig;
            rig.install_plugin(fixture_plugin("v1"));
            write_damaged_plugin(fixture_plugin("v1"), damage, rig.plugins_dir() / "broken.so");
            const auto result = rig.run_command({"check", "--config", rig.write_config().string()});
            BOOST_TEST(result.exit_code == 1, result.output);  // not 135 (SIGBUS)
            BOOST_TEST(contains(result.output, (rig.plugins_dir() / "broken.so").string()), result.output);
            BOOST_TEST(contains(result.output, damage_words(damage)), result.output);
            BOOST_TEST(contains(result.output, "host-fixture 1.0.0"), result.output);
        }
    }
}

BOOST_AUTO_TEST_CASE(check_loads_plugins_when_the_temporary_folder_is_mounted_noexec) {
    HostRig rig;
    const auto noexec = rig.path("noexec-tmp");
    fs::create_directory(noexec);
    if (::mount("tmpfs", noexec.c_str(), "tmpfs", MS_NOEXEC | MS_NOSUID, "size=16m") != 0) {
        BOOST_TEST_MESSAGE("skipped: cannot mount a tmpfs here (" << std::strerror(errno) << ")");
        return;
    }
    struct Unmount {
        fs::path dir;
        ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
    } unmount{noexec};
    rig.install_plugin(fixture_plugin("v1"));
    const auto result = rig.run_command({"check", "--config", rig.write_config().string()},
                                        {{"TMPDIR", noexec.string()}});
    BOOST_TEST(result.exit_code == 0, result.output);
    BOOST_TEST(contains(result.output, "host-fixture 1.0.0"), result.output);
    BOOST_TEST(fs::is_empty(noexec));  // nothing was copied there
}

BOOST_AUTO_TEST_CASE(a_reload_with_a_corrupt_elf_keeps_the_old_generation_serving_and_uses_no_number) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    auto& host = rig.start_host();
    std::string wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!wid.empty(), rig.diagnostics());
    std::set<std::string> seen{wid};
    const auto trace = rig.path("trace");
    const auto fill = [&] {
        for (int i = 0; i < 2; ++i) rig.push("Succeed");  // concurrency 2
    };

    for (const auto damage : all_elf_damage) {
        BOOST_TEST_CONTEXT(damage_name(damage)) {
            write_damaged_plugin(fixture_plugin("v2"), damage, rig.plugins_dir() / "broken.so");
            wid = reload(rig, seen, wid, fill);
            BOOST_REQUIRE_MESSAGE(!wid.empty(), rig.diagnostics());
            BOOST_TEST(contains(host.output(), damage_words(damage)), host.output());
            rig.push("Record", record_args(trace, "after-" + damage_name(damage)));
            BOOST_TEST(eventually([&] { return has_line(trace, "1.0.0 default after-" + damage_name(damage)); }),
                       rig.diagnostics());
        }
    }
    BOOST_TEST(!host.exit_code().has_value(), host.output());
    BOOST_TEST(occurrences(host.output(), "generation 1 kept (reload failed)") == 4u, host.output());

    // The first reload that serves is generation 2: the failed ones used up no number.
    fs::remove(rig.plugins_dir() / "broken.so");
    rig.install_plugin(fixture_plugin("v2"));
    BOOST_REQUIRE_MESSAGE(!reload(rig, seen, wid, fill).empty(), rig.diagnostics());
    BOOST_TEST(contains(host.output(), "generation 1 -> 2,"), host.output());
    rig.push("Record", record_args(trace, "on-v2"));
    BOOST_TEST(eventually([&] { return has_line(trace, "2.0.0 default on-v2"); }), rig.diagnostics());

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(a_plugin_leaving_a_thread_behind_survives_twenty_reloads_under_load) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.install_plugin(lingering_fixture(), "lingering.so");
    rig.write_config("  concurrency: 4\n  queues: [default]\n");
    auto& host = rig.start_host();
    std::string wid = rig.wait_for_worker();
    BOOST_REQUIRE_MESSAGE(!wid.empty(), rig.diagnostics());
    std::set<std::string> seen{wid};
    const auto trace = rig.path("trace");

    constexpr int reloads = 20;
    constexpr int jobs_per_round = 3 + 4;
    for (int round = 0; round < reloads; ++round) {
        // Jobs go in right before each SIGHUP and while the host drains (one per
        // processor), so every reload happens while jobs are fetched and run.
        const auto push = [&](int from, int to) {
            for (int job = from; job < to; ++job)
                rig.push("Record", record_args(trace, "r" + std::to_string(round) + "j" + std::to_string(job)));
        };
        push(0, 3);
        wid = reload(rig, seen, wid, [&] { push(3, jobs_per_round); });
        BOOST_REQUIRE_MESSAGE(!wid.empty(), "reload " << round + 1 << "\n" << rig.diagnostics());
        BOOST_REQUIRE_MESSAGE(!host.exit_code().has_value(), rig.diagnostics());
    }
    BOOST_TEST(contains(host.output(), "generation " + std::to_string(reloads) + " -> " +
                                           std::to_string(reloads + 1) + ","),
               host.output());

    // Every job ran exactly once and nothing failed.
    BOOST_TEST(eventually([&] { return HostRig::lines(trace).size() == std::size_t{reloads * jobs_per_round}; }, 30s),
               rig.diagnostics());
    const auto lines = HostRig::lines(trace);
    BOOST_TEST(std::set<std::string>(lines.begin(), lines.end()).size() == lines.size());
    BOOST_TEST(rig.stats_array("retries")->size() == 0u);
    BOOST_TEST(rig.stats_array("dead")->size() == 0u);

    // Each generation's copy of the thread-leaving plugin stays mapped (its thread runs it);
    // the well-behaved plugin's copies of finished generations are gone.
    const pid_t pid = host.pid();
    BOOST_TEST(eventually([&] { return mapped_copies(pid, "host_fixture.so").size() == 1u; }, 15s),
               "host_fixture.so copies still mapped: " << mapped_copies(pid, "host_fixture.so").size());
    BOOST_TEST(mapped_copies(pid, "lingering.so").size() == std::size_t{reloads + 1});
    BOOST_TEST(occurrences(host.output(), "left 1 thread(s) running after its shutdown") == 1u, host.output());
    BOOST_TEST(contains(host.output(), "plugin \"lingering\" (lingering.so)"), host.output());

    BOOST_TEST(!host.exit_code().has_value(), host.output());
    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}
