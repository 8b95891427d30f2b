// timing: middleware, no handlers of its own. Times every job of every plugin
// (or only the jobtypes its config lists) and logs one line per job:
//   "Hello took 0.31 ms: ACK"   or   "AlwaysFails took 0.02 ms: FAIL std::runtime_error"
// Jobs slower than slow_ms are logged as warnings.
//
// faktory-host.yaml:
//   plugins:
//     middleware: [timing/timing]        # the order of all middleware; ids are <plugin>/<name>
//     config:
//       timing: { jobtypes: [Hello, PlaceOrder], slow_ms: 500 }
#include <faktory/plugin.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

FAKTORY_PLUGIN("timing", "1.1.0", plugin) {
    const auto jobtypes = plugin.config<std::vector<std::string>>("jobtypes", {});
    const double slow_ms = plugin.config<double>("slow_ms", 1000.0);
    plugin.around("timing", [slow_ms](faktory::Job& job, faktory::Next& next) {
        const auto started = std::chrono::steady_clock::now();
        const faktory::Outcome outcome = next();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        char took[32];
        std::snprintf(took, sizeof took, "%.2f", ms);
        job.log(ms >= slow_ms ? faktory::LogLevel::warning : faktory::LogLevel::info,
                std::string(job.type()) + " took " + took + " ms: " +
                    (outcome.ok ? std::string("ACK") : "FAIL " + outcome.errtype));
    }, jobtypes);
}
