// load_config / parse_config as a whole: defaults, a full file, the shipped
// default file, syntax errors and unknown keys with file:line:column.
#include <cstdlib>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "support/temp_dir.hpp"
#include "config_error.hpp"

using namespace faktory_host::config;
using faktory_host::config::testing::config_error;
using faktory_host::testing::TempDir;
using namespace std::chrono_literals;

namespace {
bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}
void write_file(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }
} // namespace

BOOST_AUTO_TEST_SUITE(config_file)

BOOST_AUTO_TEST_CASE(an_empty_file_gives_every_default) {
    const auto config = parse_config("", "/etc/fh/host.yaml");
    BOOST_TEST(config.source == "/etc/fh/host.yaml");
    BOOST_TEST(!config.faktory.url.has_value());
    BOOST_TEST(config.faktory.password.empty());
    BOOST_TEST(config.faktory.tls.verify);
    BOOST_TEST(config.faktory.tls.ca_file.empty());
    BOOST_TEST_REQUIRE(config.worker.pools.size() == 1u);
    BOOST_TEST(config.worker.pools[0].name == "default");
    BOOST_TEST(config.worker.pools[0].concurrency == 20u);
    BOOST_TEST((config.worker.pools[0].queues.order == QueueSelection::Order::strict));
    BOOST_TEST(config.worker.pools[0].queues.queues == std::vector<std::string>{"default"});
    BOOST_TEST(config.worker.labels.empty());
    BOOST_TEST((config.worker.heartbeat_interval == 15s));
    BOOST_TEST((config.worker.shutdown_timeout == 25s));
    BOOST_TEST((config.worker.on_quiet == WorkerConfig::OnQuiet::reload));
    BOOST_TEST(config.worker.job_timeout.empty());
    BOOST_TEST(config.plugins.dir == "/etc/fh/plugins");  // the default dir sits next to the file
    BOOST_TEST(config.plugins.check_permissions);
    BOOST_TEST(config.plugins.config_json.empty());
    BOOST_TEST(config.plugins.sha256_pins.empty());
    BOOST_TEST(config.log.level == "information");
    BOOST_TEST((config.log.format == LogConfig::Format::text));
}

BOOST_AUTO_TEST_CASE(sections_with_every_child_commented_out_are_valid) {
    const auto config = parse_config("faktory:\nworker:\nplugins:\nlog:\n", "host.yaml");
    BOOST_TEST(config.worker.pools[0].concurrency == 20u);
    BOOST_TEST(config.plugins.dir == "plugins");
}

BOOST_AUTO_TEST_CASE(a_full_config_is_read_into_every_field) {
    const auto config = parse_config(R"(
faktory:
  url: tcp+tls://faktory.internal:7419
  password: s3cret
  tls: { verify: false, ca_file: ca.pem }
worker:
  concurrency: 7
  weights: { critical: 3, default: 1 }
  labels: [images, eu]
  heartbeat_interval: 10s
  shutdown_timeout: 500ms
  on_quiet: stay
  job_timeout: { "*": 2m, ResizeImage: 1h }
plugins:
  dir: /opt/plugins
  check_permissions: false
  config: { image-tools: { max_px: 8192, formats: [png, jpeg] } }
  pins: { image_tools.so: ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789 }
log: { level: debug, format: json }
)",
                                     "/srv/app/host.yaml");
    BOOST_TEST(config.faktory.url.value() == "tcp+tls://faktory.internal:7419");
    BOOST_TEST(config.faktory.password == "s3cret");
    BOOST_TEST(!config.faktory.tls.verify);
    BOOST_TEST(config.faktory.tls.ca_file == "/srv/app/ca.pem");
    BOOST_TEST_REQUIRE(config.worker.pools.size() == 1u);
    const auto& pool = config.worker.pools[0];
    BOOST_TEST(pool.name == "default");
    BOOST_TEST(pool.concurrency == 7u);
    BOOST_TEST((pool.queues.order == QueueSelection::Order::weighted));
    BOOST_TEST(pool.queues.queues == (std::vector<std::string>{"critical", "default"}));
    BOOST_TEST(pool.queues.weights == (std::vector<unsigned>{3, 1}));
    BOOST_TEST(config.worker.labels == (std::vector<std::string>{"images", "eu"}));
    BOOST_TEST((config.worker.heartbeat_interval == 10s));
    BOOST_TEST((config.worker.shutdown_timeout == 500ms));
    BOOST_TEST((config.worker.on_quiet == WorkerConfig::OnQuiet::stay));
    BOOST_TEST((config.worker.job_timeout.at("*") == 2min));
    BOOST_TEST((config.worker.job_timeout.at("ResizeImage") == 1h));
    BOOST_TEST(config.plugins.dir == "/opt/plugins");
    BOOST_TEST(!config.plugins.check_permissions);
    BOOST_TEST(config.plugins.config_json.at("image-tools") == R"({"max_px":8192,"formats":["png","jpeg"]})");
    BOOST_TEST(config.plugins.sha256_pins.at("image_tools.so") ==
               "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    BOOST_TEST(config.log.level == "debug");
    BOOST_TEST((config.log.format == LogConfig::Format::json));
}

BOOST_AUTO_TEST_CASE(the_shipped_file_sets_only_defaults_apart_from_the_packaged_plugins_dir) {
    const char* path = std::getenv("FAKTORY_HOST_DEFAULT_CONFIG");
    BOOST_TEST_REQUIRE(path != nullptr, "FAKTORY_HOST_DEFAULT_CONFIG must name config/faktory-host.yaml");
    const auto config = load_config(path);
    const Config defaults;  // what every key left out gives
    BOOST_TEST(!config.faktory.url.has_value());  // so FAKTORY_PROVIDER / FAKTORY_URL apply
    BOOST_TEST(config.faktory.password.empty());
    BOOST_TEST(config.faktory.tls.verify == defaults.faktory.tls.verify);
    BOOST_TEST(config.faktory.tls.ca_file == defaults.faktory.tls.ca_file);
    BOOST_TEST_REQUIRE(config.worker.pools.size() == 1u);
    BOOST_TEST(config.worker.pools[0].name == defaults.worker.pools[0].name);
    BOOST_TEST(config.worker.pools[0].concurrency == defaults.worker.pools[0].concurrency);
    BOOST_TEST(config.worker.pools[0].queues.queues == defaults.worker.pools[0].queues.queues);
    BOOST_TEST((config.worker.pools[0].queues.order == defaults.worker.pools[0].queues.order));
    BOOST_TEST(config.worker.labels == defaults.worker.labels);
    BOOST_TEST(config.worker.hostname == defaults.worker.hostname);
    BOOST_TEST((config.worker.heartbeat_interval == defaults.worker.heartbeat_interval));
    BOOST_TEST((config.worker.shutdown_timeout == defaults.worker.shutdown_timeout));
    BOOST_TEST((config.worker.on_quiet == defaults.worker.on_quiet));
    BOOST_TEST(config.worker.job_timeout.empty());
    BOOST_TEST(config.plugins.dir == "/usr/lib/faktory-host/plugins");  // the one packaged value, said so in the file
    BOOST_TEST(config.plugins.check_permissions == defaults.plugins.check_permissions);
    BOOST_TEST(config.plugins.config_json.empty());  // no block for a plugin that is not shipped
    BOOST_TEST(config.plugins.sha256_pins.empty());
    BOOST_TEST(config.log.level == defaults.log.level);
    BOOST_TEST((config.log.format == defaults.log.format));
    BOOST_TEST(!config.metrics.listen.has_value());
    BOOST_TEST((config.metrics.health_grace == defaults.metrics.health_grace));
}

BOOST_AUTO_TEST_CASE(load_config_names_the_file_and_resolves_against_its_folder) {
    TempDir dir;
    std::filesystem::create_directories(dir / "etc");
    write_file(dir / "etc" / "host.yaml", "plugins: { dir: ../lib/plugins }\nfaktory: { tls: { ca_file: ca.pem } }\n");
    const auto config = load_config(dir / "etc" / "host.yaml");
    BOOST_TEST(config.source == dir / "etc" / "host.yaml");
    BOOST_TEST(config.plugins.dir == dir / "lib" / "plugins");
    BOOST_TEST(config.faktory.tls.ca_file == (dir / "etc" / "ca.pem").string());
}

BOOST_AUTO_TEST_CASE(a_missing_config_file_is_an_error_naming_it) {
    TempDir dir;
    try {
        load_config(dir / "nope.yaml");
        BOOST_FAIL("expected a ConfigError");
    } catch (const ConfigError& error) {
        BOOST_TEST(contains(error.what(), (dir / "nope.yaml").string() + ": cannot read config file"), error.what());
    }
}

BOOST_AUTO_TEST_CASE(bad_yaml_syntax_is_reported_with_file_line_and_column) {
    const auto message = config_error("worker:\n  queues: [a, b\n  labels: [x]\n", "host.yaml");
    BOOST_TEST(message.rfind("host.yaml:", 0) == 0u, message);
    BOOST_TEST(contains(message, "invalid YAML"), message);

    const auto tab = config_error("worker:\n  concurrency: 5\n    labels: x\n", "host.yaml");
    BOOST_TEST(tab.rfind("host.yaml:3:11: invalid YAML", 0) == 0u, tab);
}

BOOST_AUTO_TEST_CASE(runaway_nesting_is_reported_as_such_not_as_a_bad_file) {
    // Found while seeding the config fuzzer: yaml-cpp's own depth guard calls this "bad file".
    const auto message = config_error("plugins:\n  config:\n    p: " + std::string(3000, '[') + std::string(3000, ']'));
    BOOST_TEST(message.rfind("/etc/fh/host.yaml:3:", 0) == 0u, message);
    BOOST_TEST(contains(message, ": invalid YAML: nested deeper than"), message);
    BOOST_TEST(!contains(message, "bad file"), message);
}

BOOST_AUTO_TEST_CASE(an_unknown_key_is_reported_at_its_position_with_the_closest_valid_one) {
    const auto message = config_error("worker:\n  concurency: 5\n");
    BOOST_TEST(message == "/etc/fh/host.yaml:2:3: unknown key 'concurency' in worker; did you mean 'concurrency'?");

    const auto top = config_error("log: {}\nwroker: {}\n");
    BOOST_TEST(top == "/etc/fh/host.yaml:2:1: unknown key 'wroker' in the top level; did you mean 'worker'?");
}

BOOST_AUTO_TEST_CASE(an_unknown_key_nothing_like_a_valid_one_lists_the_valid_keys) {
    const auto message = config_error("log:\n  destination: syslog\n");
    BOOST_TEST(message == "/etc/fh/host.yaml:2:3: unknown key 'destination' in log; valid keys: level format");
}

BOOST_AUTO_TEST_CASE(a_duplicate_key_is_an_error_at_its_second_occurrence) {
    const auto message = config_error("worker:\n  concurrency: 5\n  concurrency: 6\n");
    BOOST_TEST(message == "/etc/fh/host.yaml:3:3: duplicate key 'concurrency' in worker");
}

BOOST_AUTO_TEST_CASE(a_section_of_the_wrong_kind_is_an_error) {
    BOOST_TEST(config_error("worker: [a]\n") == "/etc/fh/host.yaml:1:9: worker: expected a mapping (key: value), got a list");
    BOOST_TEST(contains(config_error("- a\n- b\n"), "expected a mapping"));
}

BOOST_AUTO_TEST_CASE(a_config_file_over_1_mib_or_a_folder_is_refused_naming_it) {
    TempDir dir;
    write_file(dir / "huge.yaml", "# " + std::string(1 << 20, 'x') + "\n");
    BOOST_CHECK_EXCEPTION(load_config(dir / "huge.yaml"), ConfigError, [&](const ConfigError& e) {
        return std::string(e.what()) == (dir / "huge.yaml").string() + ": config file is larger than 1 MiB; is it "
                                                                        "the right file?";
    });
    BOOST_CHECK_EXCEPTION(load_config(dir.path()), ConfigError, [&](const ConfigError& e) {
        return contains(e.what(), dir.path().string() + ": cannot read config file");
    });
}

BOOST_AUTO_TEST_SUITE_END()

// Command-line overrides go through the same readers as the file.
BOOST_AUTO_TEST_SUITE(overrides)

namespace {
std::string override_error(const std::string& yaml, const std::vector<Override>& overrides) {
    try {
        parse_config(yaml, "/etc/fh/host.yaml", overrides);
    } catch (const OverrideError& error) {
        return error.what();
    }
    BOOST_FAIL("expected an OverrideError");
    return {};
}
} // namespace

BOOST_AUTO_TEST_CASE(an_override_wins_over_the_file) {
    const auto config = parse_config("worker: { concurrency: 5 }\nlog: { level: error }\n", "/etc/fh/host.yaml",
                                     {{"worker.concurrency", "8", "--concurrency"},
                                      {"log.level", "debug", "--log-level"},
                                      {"log.format", "json", "--log-format"}});
    BOOST_TEST(config.worker.pools[0].concurrency == 8u);
    BOOST_TEST(config.log.level == "debug");
    BOOST_TEST((config.log.format == LogConfig::Format::json));
}

BOOST_AUTO_TEST_CASE(an_override_meets_the_files_rules_and_the_message_names_the_option) {
    // --concurrency 100000 skipped the file's 1..1000 and ran out of threads.
    BOOST_TEST(override_error("", {{"worker.concurrency", "100000", "--concurrency"}}) ==
               "--concurrency: expected an integer from 1 to 1000, got '100000'");
    BOOST_TEST(override_error("", {{"worker.concurrency", "0", "--concurrency"}}) ==
               "--concurrency: expected an integer from 1 to 1000, got '0'");
    BOOST_TEST(override_error("", {{"log.level", "loud", "--log-level"}}) ==
               "--log-level: expected one of trace, debug, information, notice, warning, error, critical, fatal; "
               "got 'loud'");
    BOOST_TEST(override_error("", {{"log.format", "xml", "--log-format"}}) ==
               "--log-format: expected 'text' or 'json', got 'xml'");
    BOOST_TEST(override_error("", {{"plugins.dir", "", "--plugins-dir"}}) ==
               "--plugins-dir: expected a path, got an empty string");
    BOOST_TEST(override_error("worker: { pools: [ { name: a }, { name: b } ] }",
                              {{"worker.concurrency", "4", "--concurrency"}}) ==
               "--concurrency: cannot be combined with worker.pools; give each pool its own concurrency and "
               "queues or weights");
}

BOOST_AUTO_TEST_CASE(the_files_own_errors_still_come_first_with_their_position) {
    const std::vector<Override> overrides{{"worker.concurrency", "4", "--concurrency"}};
    BOOST_CHECK_EXCEPTION(parse_config("worker: [a]\n", "/etc/fh/host.yaml", overrides),
                          ConfigError, [](const ConfigError& e) {
                              return std::string(e.what()) ==
                                     "/etc/fh/host.yaml:1:9: worker: expected a mapping (key: value), got a list";
                          });
}

BOOST_AUTO_TEST_CASE(an_overridden_path_resolves_against_the_working_directory) {
    const auto config = parse_config("plugins: { dir: elsewhere }", "/etc/fh/host.yaml",
                                     {{"plugins.dir", "mine", "--plugins-dir"}});
    BOOST_TEST(config.plugins.dir == std::filesystem::current_path() / "mine");
    const auto defaults = default_config({{"plugins.dir", "/opt/p", "--plugins-dir"}});
    BOOST_TEST(defaults.plugins.dir == "/opt/p");
    BOOST_TEST(defaults.source.empty());
    BOOST_TEST(default_config().plugins.dir == std::filesystem::current_path() / "plugins");
}

BOOST_AUTO_TEST_SUITE_END()
