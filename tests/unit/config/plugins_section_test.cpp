// The `plugins:` section: folder, per-plugin config blocks as JSON, the
// permission switch and SHA-256 pins.
#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "config_error.hpp"

using namespace faktory_host::config;
using faktory_host::config::testing::config_error;

namespace {
bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}
PluginsConfig plugins_of(const std::string& yaml, const std::string& source = "/etc/fh/host.yaml") {
    return parse_config(yaml, source).plugins;
}
} // namespace

BOOST_AUTO_TEST_SUITE(plugins_section)

BOOST_AUTO_TEST_CASE(a_relative_dir_resolves_against_the_config_folder_and_an_absolute_one_is_kept) {
    BOOST_TEST(plugins_of("plugins: { dir: lib/../plugins.d }").dir == "/etc/fh/plugins.d");
    BOOST_TEST(plugins_of("plugins: { dir: /usr/lib/fh }").dir == "/usr/lib/fh");
    BOOST_TEST(contains(config_error("plugins: { dir: '' }"), "plugins.dir: expected a path"));
}

BOOST_AUTO_TEST_CASE(each_plugin_block_is_stored_as_compact_json) {
    const auto plugins = plugins_of(R"(
plugins:
  config:
    greeter: { greeting: "Hello \"you\"", times: 2 }
    hello: {}
)");
    BOOST_TEST(plugins.config_json.at("greeter") == R"({"greeting":"Hello \"you\"","times":2})");
    BOOST_TEST(plugins.config_json.at("hello") == "{}");
}

BOOST_AUTO_TEST_CASE(a_plugin_block_must_be_a_mapping) {
    BOOST_TEST(config_error("plugins:\n  config:\n    greeter: [a]\n") ==
               "/etc/fh/host.yaml:3:14: plugins.config.greeter: must be a mapping (it is handed to plugin "
               "'greeter' as a JSON object)");
    BOOST_TEST(contains(config_error("plugins: { config: { greeter: hi } }"), "must be a mapping"));
    BOOST_TEST(contains(config_error("plugins: { config: { greeter: } }"), "write {} for an empty one"));
    BOOST_TEST(contains(config_error("plugins: { config: [greeter] }"), "plugins.config: expected a mapping"));
}

BOOST_AUTO_TEST_CASE(copy_dir_defaults_to_empty_and_resolves_like_dir) {
    BOOST_TEST(plugins_of("plugins: { dir: /usr/lib/fh }").copy_dir.empty());  // empty: the temporary folder
    BOOST_TEST(plugins_of("plugins: { copy_dir: copies }").copy_dir == "/etc/fh/copies");
    BOOST_TEST(plugins_of("plugins: { copy_dir: /var/lib/fh }").copy_dir == "/var/lib/fh");
    BOOST_TEST(contains(config_error("plugins: { copy_dir: '' }"), "plugins.copy_dir: expected a path"));
}

BOOST_AUTO_TEST_CASE(check_permissions_is_a_strict_boolean) {
    BOOST_TEST(plugins_of("plugins: { check_permissions: true }").check_permissions);
    BOOST_TEST(!plugins_of("plugins: { check_permissions: false }").check_permissions);
    BOOST_TEST(contains(config_error("plugins: { check_permissions: off }"), "expected true or false, got 'off'"));
}

BOOST_AUTO_TEST_CASE(pins_are_64_hex_digits_stored_in_lowercase) {
    const std::string digest(64, 'A');
    const auto plugins = plugins_of("plugins: { pins: { hello.so: " + digest + " } }");
    BOOST_TEST(plugins.sha256_pins.at("hello.so") == std::string(64, 'a'));

    BOOST_TEST(config_error("plugins:\n  pins:\n    hello.so: abc\n") ==
               "/etc/fh/host.yaml:3:15: plugins.pins.hello.so: expected a SHA-256 digest as 64 hex digits "
               "(sha256sum prints it), got 'abc'");
    BOOST_TEST(contains(config_error("plugins: { pins: { hello.so: " + std::string(63, 'a') + "g } }"),
                        "64 hex digits"));
    BOOST_TEST(contains(config_error("plugins: { pins: { hello.so: " + std::string(65, 'a') + " } }"),
                        "64 hex digits"));
    BOOST_TEST(contains(config_error("plugins: { pins: { lib/hello.so: " + digest + " } }"),
                        "keyed by the plugin's file name"));
}

BOOST_AUTO_TEST_SUITE_END()
