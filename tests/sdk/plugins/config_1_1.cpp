// A 1.1 plugin reading typed config: nested lists and maps, range-checked
// integers, optional and required keys. Logs nothing; fails init on bad config
// with the SDK's message, which the test reads from the load report.
#include <faktory/plugin.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

FAKTORY_PLUGIN("config-1-1", "1.1.0", plugin) {
    struct Settings {
        std::uint16_t port;
        float ratio;
        std::vector<std::string> hosts;
        std::map<std::string, std::vector<int>> limits;
        std::optional<int> timeout;
    };
    auto settings = std::make_shared<const Settings>(Settings{
        plugin.config<std::uint16_t>("port"),
        plugin.config<float>("ratio", 0.5f),
        plugin.config<std::vector<std::string>>("hosts", {}),
        plugin.config<std::map<std::string, std::vector<int>>>("limits", {}),
        plugin.config<std::optional<int>>("timeout"),
    });
    plugin.handle("ShowConfig", [settings](faktory::Job& job) {
        std::string hosts, limits;
        for (const auto& h : settings->hosts) hosts += h + ";";
        for (const auto& [k, v] : settings->limits) limits += k + "=" + std::to_string(v.size()) + ";";
        job.log("port=" + std::to_string(settings->port) + " ratio=" + std::to_string(settings->ratio) +
                " hosts=" + hosts + " limits=" + limits +
                " timeout=" + (settings->timeout ? std::to_string(*settings->timeout) : std::string("none")));
    });
    if (plugin.config<bool>("register_twice", false)) {
        plugin.handle("Twice", [](faktory::Job&) {});
        plugin.handle("Twice", [](faktory::Job&) {});
    }
}
