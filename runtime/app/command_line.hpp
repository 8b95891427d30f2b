// faktory-host's command line: which subcommand, which config file, and the
// flags that override the config. One option set per subcommand, which also
// writes that subcommand's --help.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace faktory_host::app {

enum class Command { run, check, run_job, push };

// A command line that cannot be understood; main prints it and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Flags every subcommand accepts; each one wins over the config file. Kept as
// typed: the config reader checks them by the file's rules (host_settings.cpp).
struct Overrides {
    std::optional<std::string> url;          // over FAKTORY_PROVIDER/FAKTORY_URL and faktory.url
    std::optional<std::string> plugins_dir;  // over plugins.dir
    std::optional<std::string> concurrency;  // over worker.concurrency (single-pool configs only)
    std::optional<std::string> log_level;    // over log.level
    std::optional<std::string> log_format;   // over log.format: text | json
    std::optional<std::string> metrics_listen;  // over metrics.listen (run only)
    std::optional<std::uint64_t> max_jobs;      // run: exit 0 after this many jobs finished
    bool until_empty = false;                   // run: exit 0 once the queues stayed empty and nothing runs
};

struct PushRequest {
    std::string jobtype;
    std::string args_json = "[]";
    std::string queue = "default";
    std::optional<std::string> at;
    std::optional<int> retry;
};

struct CommandLine {
    Command command = Command::run;
    bool help = false;  // --help was given: print usage_text(command) and exit 0
    bool version = false;  // --version: print version_text() and exit 0
    std::optional<std::string> config_file;
    Overrides overrides;
    std::string job_file = "-";  // run-job: a file or "-" for stdin
    PushRequest push;
};

// `arguments` excludes the program name. Throws UsageError.
CommandLine parse_command_line(const std::vector<std::string>& arguments);

// The --help text of one subcommand.
std::string usage_text(Command command);

} // namespace faktory_host::app
