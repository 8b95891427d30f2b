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

// A bad value given on the command line (see Override); the message starts
// with the option's name ("--concurrency: ...") instead of a file position.
class OverrideError : public ConfigError {
public:
    using ConfigError::ConfigError;
};

// A value typed on the command line for one key of the file, e.g.
// {"worker.concurrency", "8", "--concurrency"}. It is read by exactly the code
// that reads the file's value (a plain YAML scalar at that key), so the same
// rules and ranges apply; it wins over the file. Relative paths resolve
// against the working directory.
struct Override {
    std::string key;     // dotted path of the key it replaces
    std::string value;   // as typed
    std::string option;  // as the user knows it, for messages
};

// No duration in the file may exceed this (Faktory's own longest reservation);
// several keys have tighter limits (docs/reliability.md lists them).
inline constexpr std::chrono::hours max_duration{24};

struct TlsConfig {
    bool verify = true;
    std::string ca_file;
};

struct FaktoryConfig {
    std::optional<std::string> url;  // unset: FAKTORY_PROVIDER / FAKTORY_URL / tcp://localhost:7419
    std::string url_location;        // "file:line:column: faktory.url: ", to place URL errors found later
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
    std::string hostname;  // what the Web UI shows; empty = the machine's host name
    Duration heartbeat_interval{std::chrono::seconds(15)};  // 5 s .. 60 s
    Duration shutdown_timeout{std::chrono::seconds(25)};    // 0 .. max_shutdown_timeout
    enum class OnQuiet { reload, stay };
    OnQuiet on_quiet = OnQuiet::reload;
    std::map<std::string, Duration> job_timeout;  // jobtype -> limit (1ms .. max_duration); "*" = every jobtype

    static constexpr std::chrono::hours max_shutdown_timeout{1};
    // Files that outlive the process (job journal, undelivered results, lock).
    // Relative paths resolve against the config file's folder; when the file
    // does not set it, systemd's $STATE_DIRECTORY wins over this default.
    std::filesystem::path state_dir = "state";
    // From the command line only (run --max-jobs N, run --until-empty), never from YAML.
    std::optional<std::uint64_t> max_jobs;
    std::optional<Duration> until_empty_grace;
    // Not read from YAML: a job is cut this long before its reservation ends (tests shorten it).
    Duration reservation_margin{std::chrono::seconds(15)};
};

struct PluginsConfig {
    std::filesystem::path dir = "plugins";  // relative paths resolve against the config file's folder
    bool check_permissions = true;
    std::map<std::string, std::string> config_json;  // plugin name -> its block as compact JSON
    std::map<std::string, std::string> sha256_pins;  // .so file name -> lowercase hex SHA-256
    std::filesystem::path copy_dir;  // plugin copies go here only where memfd is refused; empty: the temp dir
    std::vector<std::string> middleware = {};        // SDK 1.1 middleware ids "<plugin>/<name>", in run order
};

struct LogConfig {
    std::string level = "information";  // Poco priority names: trace debug information notice warning error
    enum class Format { text, json };
    Format format = Format::text;
};

// The /metrics and /healthz listener (runtime/metrics).
struct MetricsConfig {
    std::optional<std::string> listen;  // host:port; unset = no listener
    Duration health_grace{std::chrono::seconds(30)};  // disconnected or reloading this long -> /healthz 503
};

struct Config {
    std::filesystem::path source;  // the file it came from, empty for built-in defaults
    FaktoryConfig faktory;
    WorkerConfig worker;
    PluginsConfig plugins;
    LogConfig log;
    MetricsConfig metrics;
};

// Reads and validates `file` with `overrides` applied. Throws ConfigError
// naming file:line:column, or OverrideError naming the option.
Config load_config(const std::filesystem::path& file, const std::vector<Override>& overrides = {});
// Same, from text; `source_name` is used in messages and to resolve relative paths.
Config parse_config(const std::string& yaml_text, const std::filesystem::path& source_name,
                    const std::vector<Override>& overrides = {});
// The built-in defaults (no file) with `overrides` applied; relative paths,
// the default plugins dir included, resolve against the working directory.
Config default_config(const std::vector<Override>& overrides = {});

// "500ms", "25s", "2m", "1h" -> Duration; throws std::invalid_argument.
// Any number of digits is safe: a value past what Duration holds is "too large".
Duration parse_duration(const std::string& text);
// The shortest exact spelling parse_duration reads back: 1h, 90s, 1500ms.
std::string format_duration(Duration duration);

} // namespace faktory_host::config
