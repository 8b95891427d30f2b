// 1.1 middleware for the tests: "outer" and "inner" trace their order around
// every job; "guard" (only for jobtype Basic) FAILs jobs whose first arg is
// "deny" without running them, and reports each outcome it sees.
#include <faktory/plugin.hpp>

#include <string>

FAKTORY_PLUGIN("mw", "1.1.0", plugin) {
    for (const std::string name : {"outer", "inner"}) {
        plugin.around(name, [name](faktory::Job& job, faktory::Next& next) {
            job.log(name + " before");
            next();
            job.log(name + " after");
        });
    }
    plugin.around("guard", [](faktory::Job& job, faktory::Next& next) {
        if (job.arg<std::string>(0) == "deny") throw std::runtime_error("denied by guard");
        const auto outcome = next();
        job.log("guard saw " + (outcome.ok ? std::string("ACK") : "FAIL " + outcome.errtype + ": " + outcome.message));
    }, {"Basic"});
}
