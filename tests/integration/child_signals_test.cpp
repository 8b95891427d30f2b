// What a process started by a plugin inherits from faktory-host: no blocked
// signal, and SIGPIPE and the control signals at their default disposition.
// The host takes its signals through handlers (reset to the default at exec)
// instead of a mask and SIG_IGN (both inherited across exec), so such a
// child can be stopped by `systemctl stop` or Ctrl-C and ends in a broken
// pipeline like any program.
#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::HostRig;

namespace {

// "SigBlk:\t0000000000000000" lines -> {"SigBlk": 0}, the masks as numbers (bit n-1 is signal n).
std::map<std::string, std::uint64_t> signal_masks(const std::filesystem::path& file) {
    std::map<std::string, std::uint64_t> masks;
    for (const auto& line : HostRig::lines(file)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        masks[line.substr(0, colon)] = std::stoull(line.substr(colon + 1), nullptr, 16);
    }
    return masks;
}

std::uint64_t bit(int signal) { return std::uint64_t{1} << (signal - 1); }

std::string hex(std::uint64_t mask) {
    std::ostringstream out;
    out << std::hex << mask;
    return out.str();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_process_a_plugin_starts_has_no_blocked_signal_and_sigpipe_at_its_default) {
    HostRig rig;
    rig.install_plugin(fixture_plugin("v1"));
    rig.write_config();
    auto& host = rig.start_host();
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());

    const auto file = rig.path("child-signals");
    const auto jid = rig.push("SpawnChild", "[" + HostRig::quoted(file) + "]");
    BOOST_REQUIRE_MESSAGE(eventually([&] { return rig.processed() == 1; }), rig.diagnostics());
    BOOST_REQUIRE_MESSAGE(!rig.failure_of(jid), rig.diagnostics());  // the child ran and exited 0

    const auto masks = signal_masks(file);
    BOOST_REQUIRE_MESSAGE(masks.count("SigBlk") == 1 && masks.count("SigIgn") == 1, "no masks in " + file.string());
    BOOST_TEST(masks.at("SigBlk") == 0u, "the child starts with signals blocked: SigBlk " << hex(masks.at("SigBlk")));
    for (const int signal : {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGTSTP, SIGTTIN})
        BOOST_TEST((masks.at("SigIgn") & bit(signal)) == 0u,
                   "the child ignores signal " << signal << ": SigIgn " << hex(masks.at("SigIgn")));

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(15s) == 0, host.output());
}
