// plugins.middleware in the YAML config (SDK 1.1): a list of "<plugin>/<name>"
// ids handed to the loader in order; anything else is refused naming the line.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "config/config.hpp"
#include "support/temp_dir.hpp"

namespace {

std::filesystem::path write(const faktory_host::testing::TempDir& dir, const std::string& plugins_yaml) {
    const auto file = dir.path() / "faktory-host.yaml";
    std::ofstream(file) << "plugins:\n  dir: " << dir.path().string() << "\n" << plugins_yaml;
    return file;
}

} // namespace

BOOST_AUTO_TEST_CASE(middleware_ids_keep_their_order) {
    faktory_host::testing::TempDir dir;
    const auto config = faktory_host::config::load_config(write(dir, "  middleware: [timing/timing, auth/check]\n"));
    BOOST_TEST(config.plugins.middleware == (std::vector<std::string>{"timing/timing", "auth/check"}));
}

BOOST_AUTO_TEST_CASE(a_middleware_id_without_plugin_name_is_refused_naming_it) {
    faktory_host::testing::TempDir dir;
    try {
        faktory_host::config::load_config(write(dir, "  middleware: [timing]\n"));
        BOOST_FAIL("loaded a config with a malformed middleware id");
    } catch (const std::exception& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("a middleware id is <plugin>/<name> (e.g. timing/timing), got 'timing'") != std::string::npos,
                   what);
        BOOST_TEST(what.find("faktory-host.yaml") != std::string::npos, what);
    }
}
