// The host's validated configuration, loaded from YAML. Every error carries
// file:line:column (ConfigError); defaults live here, next to the fields.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace faktory_host::config {

using Duration = std::chrono::milliseconds;

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;  // message starts with "file:line:column: "
};

struct TlsConfig {
    bool verify = true;
    std::string ca_file;
};

struct FaktoryConfig {
    std::optional<std::string> url;  // unset: FAKTORY_PROVIDER / FAKTORY_URL / tcp://localhost:7419
    std::string password;            // from `password` or the contents of `password_file` (trimmed)
    TlsConfig tls;
};

// How one pool picks the queue for each FETCH.
struct QueueSelection {
    enum class Order { strict, weighted };
    Order order = Order::strict;
    std::vector<std::string> queues{"default"};
    std::vector<unsigned> weights;  // parallel to `queues` when weighted
};

struct PoolConfig {
    std::string name = "default";
    unsigned concurrency = 20;
    QueueSelection queues;
};

struct WorkerConfig {
    // `worker.concurrency` + `worker.queues`/`worker.weights` make one pool
    // named "default"; `worker.pools` names several. Never empty.
    std::vector<PoolConfig> pools{PoolConfig{}};
    std::vector<std::string> labels;
    Duration heartbeat_interval{std::chrono::seconds(15)};  // 5 s .. 60 s
    Duration shutdown_timeout{std::chrono::seconds(25)};
    enum class OnQuiet { reload, stay };
    OnQuiet on_quiet = OnQuiet::reload;
    std::map<std::string, Duration> job_timeout;  // jobtype -> limit; key "*" = every jobtype
};

struct PluginsConfig {
    std::filesystem::path dir = "plugins";  // relative paths resolve against the config file's folder
    bool check_permissions = true;
    std::map<std::string, std::string> config_json;  // plugin name -> its block as compact JSON
    std::map<std::string, std::string> sha256_pins;  // .so file name -> lowercase hex SHA-256
    std::vector<std::string> middleware = {};        // SDK 1.1 middleware ids "<plugin>/<name>", in run order
};

struct LogConfig {
    std::string level = "information";  // Poco priority names: trace debug information notice warning error
    enum class Format { text, json };
    Format format = Format::text;
};

struct Config {
    std::filesystem::path source;  // the file it came from, empty for built-in defaults
    FaktoryConfig faktory;
    WorkerConfig worker;
    PluginsConfig plugins;
    LogConfig log;
};

// Reads and validates `file`. Throws ConfigError naming file:line:column.
Config load_config(const std::filesystem::path& file);
// Same, from text; `source_name` is used in messages and to resolve relative paths.
Config parse_config(const std::string& yaml_text, const std::filesystem::path& source_name);

// "500ms", "25s", "2m", "1h" -> Duration; throws std::invalid_argument.
Duration parse_duration(const std::string& text);

} // namespace faktory_host::config
