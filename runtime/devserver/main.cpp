// faktory-devserver: runs the embedded Faktory-compatible server until SIGINT/SIGTERM.
#include <iostream>

#include <Poco/File.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include "devserver/dev_server.hpp"

namespace {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

class DevServerApplication : public Poco::Util::ServerApplication {
protected:
    void defineOptions(Poco::Util::OptionSet& options) override {
        ServerApplication::defineOptions(options);
        options.addOption(Option("help", "h", "print this help and exit")
                              .callback(OptionCallback<DevServerApplication>(this, &DevServerApplication::help)));
        options.addOption(Option("bind", "b", "work protocol address (port 0 = any free port)")
                              .argument("host:port")
                              .callback(OptionCallback<DevServerApplication>(this, &DevServerApplication::set)));
        options.addOption(Option("control", "c", "HTTP control address; empty = none (port 0 = any free port)")
                              .argument("host:port")
                              .callback(OptionCallback<DevServerApplication>(this, &DevServerApplication::set)));
        options.addOption(Option("password", "p", "require this password in HELLO")
                              .argument("password")
                              .callback(OptionCallback<DevServerApplication>(this, &DevServerApplication::set)));
        options.addOption(Option("tls-cert", "", "PEM certificate: the work port speaks TLS (needs --tls-key)")
                              .argument("file")
                              .callback(OptionCallback<DevServerApplication>(this, &DevServerApplication::set)));
        options.addOption(Option("state-file", "", "load the jobs from this file at start when it exists; save them "
                                                   "there at SIGTERM/SIGINT")
                              .argument("path")
                              .callback(OptionCallback<DevServerApplication>(this, &DevServerApplication::set)));
        options.addOption(Option("tls-key", "", "PEM private key for --tls-cert")
                              .argument("file")
                              .callback(OptionCallback<DevServerApplication>(this, &DevServerApplication::set)));
    }

    int main(const std::vector<std::string>& arguments) override {
        if (help_requested_) return EXIT_OK;
        if (!arguments.empty()) {
            std::cerr << "faktory-devserver: unexpected argument \"" << arguments.front() << "\" (see --help)\n";
            return EXIT_USAGE;
        }
        faktory_host::devserver::DevServer server(options_);
        try {
            if (!state_file_.empty() && Poco::File(state_file_).exists()) server.load_state(state_file_);
            server.start();
        } catch (const std::exception& e) {
            std::cerr << "faktory-devserver: " << e.what() << "\n";
            return EXIT_UNAVAILABLE;
        }
        // Scripts started with port 0 read the real ports from this line.
        std::cout << "faktory-devserver listening on " << server.url() << " control "
                  << (server.control_port() == 0 ? std::string("off")
                                                 : "http://" + host_of(options_.control) + ":" +
                                                       std::to_string(server.control_port()))
                  << " work_port=" << server.port() << " control_port=" << server.control_port() << std::endl;
        waitForTerminationRequest();
        // As Faktory: commands arriving from here on are refused with
        // "-ERR shutdown in progress", so nothing changes after the save.
        server.begin_shutdown();
        int status = EXIT_OK;
        if (!state_file_.empty()) {
            try {
                server.save_state(state_file_);
            } catch (const std::exception& e) {
                std::cerr << "faktory-devserver: " << e.what() << "\n";
                status = EXIT_CANTCREAT;
            }
        }
        server.stop();
        std::cout << "faktory-devserver stopped" << std::endl;
        return status;
    }

private:
    static std::string host_of(const std::string& address) {
        const auto colon = address.rfind(':');
        return colon == std::string::npos ? address : address.substr(0, colon);
    }

    void help(const std::string&, const std::string&) {
        Poco::Util::HelpFormatter formatter(options());
        formatter.setCommand(commandName());
        formatter.setUsage("[--bind host:port] [--control host:port] [--password P] [--tls-cert F --tls-key F] [--state-file F]");
        formatter.setHeader("An in-memory, Faktory-compatible server for local runs, tests and benchmarks.");
        formatter.format(std::cout);
        help_requested_ = true;
        stopOptionsProcessing();
    }

    void set(const std::string& name, const std::string& value) {
        if (name == "bind") options_.bind = value;
        else if (name == "control") options_.control = value;
        else if (name == "password") options_.password = value;
        else if (name == "tls-cert") options_.tls_cert_file = value;
        else if (name == "tls-key") options_.tls_key_file = value;
        else if (name == "state-file") state_file_ = value;
    }

    faktory_host::devserver::DevServerOptions options_;
    std::string state_file_;
    bool help_requested_ = false;
};

} // namespace

POCO_SERVER_MAIN(DevServerApplication)
