// Parses faktory-host's argv: an optional subcommand first, then Poco-style
// options (--name value, --name=value, -n value), checked against the option
// set of that subcommand.
#include "app/command_line.hpp"

#include <charconv>
#include <sstream>

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

namespace faktory_host::app {

namespace {

using Poco::Util::Option;
using Poco::Util::OptionSet;

struct CommandInfo {
    Command command;
    const char* name;  // as typed; "" for the default (run)
    const char* usage;
    const char* header;
};

const CommandInfo commands[] = {
    {Command::run, "", "[--config FILE] [options]",
     "Runs Faktory jobs through the handler plugins until terminated. SIGHUP reloads the plugins, "
     "SIGTSTP quiets, SIGTERM/SIGINT terminate, SIGTTIN logs the busy jobs. "
     "Subcommands: check, run-job, push (each has --help)."},
    {Command::check, "check", "check [--config FILE] [options]",
     "Validates the configuration and loads every plugin without connecting to anything; prints the "
     "plugins, their versions and jobtypes, and every load error. Exits 0 when all is well, else 1."},
    {Command::run_job, "run-job", "run-job [--config FILE] [--job FILE|-] [options]",
     "Runs one job (Faktory job JSON, from a file or stdin) through the plugins locally. Jobs the handler "
     "pushes are printed, not sent. Prints ACK or FAIL; exits 0 on ACK, 1 on FAIL."},
    {Command::push, "push", "push --type JOBTYPE [--args JSON] [--queue Q] [--at TIME] [--retry N] [options]",
     "Enqueues one job on the configured Faktory server and prints its jid."},
};

const CommandInfo& info_of(Command command) {
    for (const auto& info : commands)
        if (info.command == command) return info;
    return commands[0];
}

Option flag(const std::string& name, const std::string& short_name, const std::string& description,
            const std::string& argument = {}) {
    Option option(name, short_name, description, false);
    if (!argument.empty()) option.argument(argument);
    return option;
}

OptionSet options_for(Command command) {
    OptionSet set;
    set.addOption(flag("help", "h", "print this help and exit"));
    if (command == Command::run)
        set.addOption(flag("version", "", "print the version, the plugin ABI and the library versions, and exit"));
    set.addOption(flag("config", "c", "configuration file (default ./faktory-host.yaml if present, "
                                      "else built-in defaults)", "FILE"));
    set.addOption(flag("url", "u", "Faktory server URL; wins over FAKTORY_PROVIDER/FAKTORY_URL and faktory.url",
                       "URL"));
    if (command != Command::push)
        set.addOption(flag("plugins-dir", "p", "folder to load the plugins from (over plugins.dir)", "DIR"));
    if (command == Command::run || command == Command::check)
        set.addOption(flag("concurrency", "n", "processor threads (over worker.concurrency; one pool only)", "N"));
    set.addOption(flag("log-level", "", "trace, debug, information, notice, warning, error (over log.level)",
                       "LEVEL"));
    set.addOption(flag("log-format", "", "text or json (over log.format)", "FORMAT"));
    if (command == Command::run) {
        set.addOption(flag("max-jobs", "", "exit 0 once N jobs have finished and their results were delivered", "N"));
        set.addOption(flag("until-empty", "", "exit 0 once every queue served stayed empty for 5 s and nothing runs"));
    }
    if (command == Command::run)
        set.addOption(flag("metrics-listen", "", "serve /metrics and /healthz on host:port (over metrics.listen)",
                           "ADDRESS"));
    if (command == Command::run_job) set.addOption(flag("job", "j", "job JSON file, - for stdin (default -)", "FILE"));
    if (command == Command::push) {
        set.addOption(flag("type", "t", "the jobtype (required)", "JOBTYPE"));
        set.addOption(flag("args", "a", "the job's arguments as a JSON array (default [])", "JSON"));
        set.addOption(flag("queue", "q", "the queue (default default)", "QUEUE"));
        set.addOption(flag("at", "", "run at this RFC 3339 time instead of now", "TIME"));
        set.addOption(flag("retry", "r", "retries before the dead set (Faktory's default 25; 0 none; -1 dead at once)",
                           "N"));
    }
    return set;
}

template <typename Number>
Number parse_number(const std::string& option, const std::string& text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        throw UsageError("--" + option + " wants a whole number, got \"" + text + "\"");
    return value;
}

void apply(CommandLine& line, const std::string& name, const std::string& value) {
    auto& o = line.overrides;
    if (name == "help") line.help = true;
    else if (name == "version") line.version = true;
    else if (name == "config") line.config_file = value;
    else if (name == "url") o.url = value;
    else if (name == "plugins-dir") o.plugins_dir = value;
    // Config overrides are checked later by the config reader, by the file's rules.
    else if (name == "concurrency") o.concurrency = value;
    else if (name == "log-level") o.log_level = value;
    else if (name == "log-format") o.log_format = value;
    else if (name == "metrics-listen") o.metrics_listen = value;
    else if (name == "max-jobs") {
        o.max_jobs = parse_number<std::uint64_t>(name, value);
        if (*o.max_jobs == 0) throw UsageError("--max-jobs must be at least 1");
    } else if (name == "until-empty") o.until_empty = true;
    else if (name == "job") line.job_file = value;
    else if (name == "type") line.push.jobtype = value;
    else if (name == "args") line.push.args_json = value;
    else if (name == "queue") line.push.queue = value;
    else if (name == "at") line.push.at = value;
    else if (name == "retry") line.push.retry = parse_number<int>(name, value);
}

} // namespace

CommandLine parse_command_line(const std::vector<std::string>& arguments) {
    CommandLine line;
    auto next = arguments.begin();
    if (next != arguments.end() && !next->empty() && next->front() != '-') {
        bool known = false;
        for (const auto& info : commands) {
            if (*info.name != '\0' && *next == info.name) {
                line.command = info.command;
                known = true;
            }
        }
        if (!known) throw UsageError("unknown command \"" + *next + "\" (commands: check, run-job, push; see --help)");
        ++next;
    }

    const OptionSet set = options_for(line.command);
    Poco::Util::OptionProcessor processor(set);
    processor.setUnixStyle(true);
    std::string pending;  // an option still waiting for its value ("--config FILE")
    try {
        for (; next != arguments.end(); ++next) {
            std::string name, value;
            if (!processor.process(*next, name, value))
                throw UsageError("unexpected argument \"" + *next + "\" (see --help)");
            if (name.empty()) {
                pending = *next;
                continue;
            }
            pending.clear();
            apply(line, name, value);
            if (line.help || line.version) return line;
        }
    } catch (const Poco::Util::OptionException& e) {
        throw UsageError(e.displayText());
    }
    if (!pending.empty()) throw UsageError("option " + pending + " needs a value (see --help)");
    if (line.command == Command::push && line.push.jobtype.empty())
        throw UsageError("push needs --type JOBTYPE (see push --help)");
    return line;
}

std::string usage_text(Command command) {
    const auto& info = info_of(command);
    const OptionSet set = options_for(command);
    Poco::Util::HelpFormatter formatter(set);
    formatter.setUnixStyle(true);
    formatter.setCommand("faktory-host");
    formatter.setUsage(info.usage);
    formatter.setHeader(info.header);
    formatter.setFooter("Config errors exit 1, usage errors 2.");
    std::ostringstream out;
    formatter.format(out);
    return out.str();
}

} // namespace faktory_host::app
