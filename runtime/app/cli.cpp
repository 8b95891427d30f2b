// Dispatch and error reporting for faktory-host's subcommands.
#include "app/cli.hpp"

#include <iostream>
#include <string>
#include <vector>

#include "app/command_line.hpp"
#include "app/commands.hpp"
#include "app/secret_arguments.hpp"
#include "app/version_info.hpp"
#include "config/config.hpp"
#include "protocol/errors.hpp"

namespace faktory_host::app {

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

int dispatch(const CommandLine& line) {
    switch (line.command) {
    case Command::run: return run_host(line);
    case Command::check: return run_check(line);
    case Command::run_job: return run_one_job(line);
    case Command::push: return run_push(line);
    }
    return exit_usage;
}

} // namespace

int run_cli(int argc, char** argv) {
    const std::vector<std::string> arguments(argv + (argc > 0 ? 1 : 0), argv + argc);
    // First thing after copying them: every moment the password sits in argv, ps shows it.
    if (scrub_url_passwords(argc, argv) > 0)
        std::cerr << "faktory-host: " << command_line_password_warning() << std::endl;
    try {
        const auto line = parse_command_line(arguments);
        if (line.version) {
            std::cout << version_text();
            return 0;
        }
        if (line.help) {
            std::cout << usage_text(line.command);
            return 0;
        }
        return dispatch(line);
    } catch (const UsageError& e) {
        std::cerr << "faktory-host: " << e.what() << std::endl;
        return exit_usage;
    } catch (const config::ConfigError& e) {
        std::cerr << "faktory-host: " << e.what() << std::endl;
        return exit_failure;
    } catch (const protocol::UrlError& e) {
        std::cerr << "faktory-host: " << e.what() << std::endl;
        return exit_failure;
    } catch (const std::exception& e) {
        std::cerr << "faktory-host: " << e.what() << std::endl;
        return exit_failure;
    }
}

} // namespace faktory_host::app
