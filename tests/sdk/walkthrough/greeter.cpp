#include <faktory/plugin.hpp>

#include <string>
#include <vector>

FAKTORY_PLUGIN("greeter", "0.1.0", plugin) {
    const auto greeting = plugin.config<std::string>("greeting", "Hello");
    plugin.handle("Greet", [greeting](faktory::Job& job) {
        const auto names = job.arg<std::vector<std::string>>(0);
        if (names.empty()) throw std::invalid_argument("nobody to greet");
        for (const auto& name : names) {
            job.log(greeting + ", " + name + "!");
            job.push("Greeted", {name});
        }
    });
}
