// hello: the minimal plugin. "Hello" logs a greeting, "AlwaysFails" fails on
// purpose (so you can watch a FAIL and its retry), "Noop" does nothing (the
// benchmarks' job).
#include <faktory/plugin.hpp>

#include <stdexcept>
#include <string>

static void hello(faktory::Job& job) {
    const std::string name = job.arg_count() > 0 ? job.arg<std::string>(0) : std::string("world");
    job.log("Hello, " + name + "!");
}

FAKTORY_PLUGIN("hello", "1.0.0", plugin) {
    plugin.handle("Hello", hello);
    plugin.handle("AlwaysFails", [](faktory::Job&) {
        // Any exception becomes a FAIL: errtype "std::runtime_error", message what().
        throw std::runtime_error("AlwaysFails fails on purpose, to show a failed job");
    });
    plugin.handle("Noop", [](faktory::Job&) {});
}
