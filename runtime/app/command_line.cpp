// Parses faktory-host's argv: an optional subcommand first, then options
// (--name value, --name=value, -n value, -nvalue), checked against the option
// set of that subcommand. Written here rather than taken from Poco::Util:
// linking Poco::Util (and the Poco::XML it pulls in) for this alone cost the
// host about 0.9 MB of resident memory.
#include "app/command_line.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <sstream>

namespace faktory_host::app {

namespace {

struct OptionSpec {
    std::string name;        // long name, without the dashes
    std::string short_name;  // one letter, or empty
    std::string description;
    std::string argument;  // the value's placeholder in --help; empty for a flag
};

using OptionSet = std::vector<OptionSpec>;

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

OptionSpec flag(const std::string& name, const std::string& short_name, const std::string& description,
                const std::string& argument = {}) {
    return {name, short_name, description, argument};
}

OptionSet options_for(Command command) {
    OptionSet set;
    set.push_back(flag("help", "h", "print this help and exit"));
    if (command == Command::run)
        set.push_back(flag("version", "", "print the version, the plugin ABI and the library versions, and exit"));
    set.push_back(flag("config", "c", "configuration file (default ./faktory-host.yaml if present, "
                                      "else built-in defaults)", "FILE"));
    set.push_back(flag("url", "u", "Faktory server URL; wins over FAKTORY_PROVIDER/FAKTORY_URL and faktory.url",
                       "URL"));
    if (command != Command::push)
        set.push_back(flag("plugins-dir", "p", "folder to load the plugins from (over plugins.dir)", "DIR"));
    if (command == Command::run || command == Command::check)
        set.push_back(flag("concurrency", "n", "processor threads (over worker.concurrency; one pool only)", "N"));
    set.push_back(flag("log-level", "", "trace, debug, information, notice, warning, error (over log.level)",
                       "LEVEL"));
    set.push_back(flag("log-format", "", "text or json (over log.format)", "FORMAT"));
    if (command == Command::run) {
        set.push_back(flag("max-jobs", "", "exit 0 once N jobs have finished and their results were delivered", "N"));
        set.push_back(flag("until-empty", "", "exit 0 once every queue served stayed empty for 5 s and nothing runs"));
    }
    if (command == Command::run)
        set.push_back(flag("metrics-listen", "", "serve /metrics and /healthz on host:port (over metrics.listen)",
                           "ADDRESS"));
    if (command == Command::run_job) set.push_back(flag("job", "j", "job JSON file, - for stdin (default -)", "FILE"));
    if (command == Command::push) {
        set.push_back(flag("type", "t", "the jobtype (required)", "JOBTYPE"));
        set.push_back(flag("args", "a", "the job's arguments as a JSON array (default [])", "JSON"));
        set.push_back(flag("queue", "q", "the queue (default default)", "QUEUE"));
        set.push_back(flag("at", "", "run at this RFC 3339 time instead of now", "TIME"));
        set.push_back(flag("retry", "r", "retries before the dead set (Faktory's default 25; 0 none; -1 dead at once)",
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
    for (; next != arguments.end(); ++next) {
        const std::string& argument = *next;
        if (argument.size() < 2 || argument[0] != '-' || argument == "--")
            throw UsageError("unexpected argument \"" + argument + "\" (see --help)");
        const bool is_long = argument[1] == '-';
        std::string key = argument.substr(is_long ? 2 : 1, is_long ? std::string::npos : 1);
        std::optional<std::string> value;
        if (is_long) {
            if (const auto equals = key.find('='); equals != std::string::npos) {
                value = key.substr(equals + 1);
                key.resize(equals);
            }
        } else if (argument.size() > 2) {
            value = argument.substr(2);  // -cFILE
        }
        const auto spec = std::find_if(set.begin(), set.end(), [&](const OptionSpec& option) {
            return is_long ? option.name == key : option.short_name == key;
        });
        if (spec == set.end())
            throw UsageError("unknown option " + std::string(is_long ? "--" : "-") + key + " (see --help)");
        if (spec->argument.empty() && value)
            throw UsageError("option --" + spec->name + " takes no value (see --help)");
        if (!spec->argument.empty() && !value) {
            if (std::next(next) == arguments.end())
                throw UsageError("option " + argument + " needs a value (see --help)");
            value = *++next;
        }
        apply(line, spec->name, value.value_or(""));
        if (line.help || line.version) return line;
    }
    if (line.command == Command::push && line.push.jobtype.empty())
        throw UsageError("push needs --type JOBTYPE (see push --help)");
    return line;
}

namespace {

// Appends `text` wrapped at `width` columns, continuation lines indented by `indent`.
void append_wrapped(std::string& out, const std::string& text, std::size_t column, std::size_t indent,
                    std::size_t width = 80) {
    std::istringstream words(text);
    std::string word;
    bool first = true;
    while (words >> word) {
        if (!first && column + 1 + word.size() > width) {
            out += '\n';
            out.append(indent, ' ');
            column = indent;
        } else if (!first) {
            out += ' ';
            ++column;
        }
        out += word;
        column += word.size();
        first = false;
    }
    out += '\n';
}

std::string option_synopsis(const OptionSpec& option) {
    std::string text;
    if (!option.short_name.empty()) text += "-" + option.short_name + (option.argument.empty() ? "" : " " + option.argument) + ", ";
    text += "--" + option.name + (option.argument.empty() ? "" : "=" + option.argument);
    return text;
}

} // namespace

std::string usage_text(Command command) {
    const auto& info = info_of(command);
    const OptionSet set = options_for(command);
    std::string out = "usage: faktory-host ";
    append_wrapped(out, info.usage, out.size(), 13);
    append_wrapped(out, info.header, 0, 0);
    out += '\n';
    std::size_t synopsis_width = 0;
    for (const auto& option : set) synopsis_width = std::max(synopsis_width, option_synopsis(option).size());
    for (const auto& option : set) {
        const auto synopsis = option_synopsis(option);
        out += synopsis;
        out.append(synopsis_width + 2 - synopsis.size(), ' ');
        append_wrapped(out, option.description, synopsis_width + 2, synopsis_width + 2);
    }
    out += "\nConfig errors exit 1, usage errors 2.\n";
    return out;
}

} // namespace faktory_host::app
