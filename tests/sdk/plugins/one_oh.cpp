// A plugin compiled against the SDK 1.0 headers kept verbatim in
// tests/fixtures/sdk-1.0: proves a 1.0 plugin still loads and runs in this host.
// Uses every kind of 1.0 call: typed args, config, log, push, fail, shutdown.
#include <faktory/plugin.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

static_assert(FAKTORY_PLUGIN_ABI_MINOR == 0, "this plugin must build against the 1.0 fixture headers");

FAKTORY_PLUGIN("one-oh", "1.0.0", plugin) {
    const auto factor = plugin.config<std::int64_t>("factor", 2);
    plugin.handle("OldEcho", [factor](faktory::Job& job) {
        const auto name = job.arg<std::string>(0);
        const auto count = job.arg<std::int64_t>(1);
        job.log(name + " x" + std::to_string(count * factor) + " retry_count=" + std::to_string(job.retry_count()) +
                " custom=" + std::string(job.custom_json()));
        job.push("OldNext", "[\"" + name + "\"]", "low");
    });
    plugin.handle("OldFail", [](faktory::Job& job) { job.fail("OldError", "failed the 1.0 way", {"frame 1"}); });
    plugin.handle("OldThrow", [](faktory::Job& job) { job.arg<std::int64_t>(0); });
}
