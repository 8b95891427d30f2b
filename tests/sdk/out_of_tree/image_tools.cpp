// The example plugin, verbatim, built out of tree against the installed SDK.
#include <faktory/plugin.hpp>
static void resize(faktory::Job& job) {
    auto path = job.arg<std::string>(0);
    auto width = job.arg<std::int64_t>(1);
    if (width <= 0) throw std::invalid_argument("width must be positive");
}
FAKTORY_PLUGIN("image-tools", "1.4.0", plugin) {
    plugin.handle("ResizeImage", resize);                     // plain function
    plugin.handle("Ping", [](faktory::Job& job) { job.log("pong"); }); // or lambda
}
