// HostRig: dev server + private dir + config + faktory-host child process.
#include "harness/host_rig.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include "protocol/client.hpp"
#include "support/eventually.hpp"

namespace fs = std::filesystem;

namespace faktory_host::testing {

fs::path fixture_plugin(const std::string& variant) {
    if (variant == "v1") return HOST_FIXTURE_V1;
    if (variant == "v2") return HOST_FIXTURE_V2;
    if (variant == "broken") return HOST_FIXTURE_BROKEN;
    throw std::invalid_argument("no fixture plugin " + variant);
}

HostRig::HostRig(const std::string& server_password)
    : server_(std::make_unique<devserver::DevServer>(
          devserver::DevServerOptions{"127.0.0.1:0", "127.0.0.1:0", server_password, "", ""})) {
    server_->start();
    fs::create_directory(plugins_dir());
    fs::permissions(plugins_dir(), fs::perms::owner_all, fs::perm_options::replace);
}

HostRig::~HostRig() {
    const auto id = boost::unit_test::framework::current_test_case().p_id;
    if (!boost::unit_test::results_collector.results(id).passed()) std::cerr << diagnostics();
    host_.reset();  // kill the host before the server and the directory go
}

std::string HostRig::diagnostics() const {
    std::ostringstream out;
    if (host_) out << "----- faktory-host output -----\n" << host_->output() << "----- end -----\n";
    for (const auto& log : command_logs_) {
        std::ifstream in(log);
        out << "----- " << log << " -----\n" << in.rdbuf() << "\n";
    }
    return out.str();
}

void HostRig::install_plugin(const fs::path& source, const std::string& name) {
    const auto temp = plugins_dir() / ("." + name + ".tmp");
    fs::copy_file(source, temp, fs::copy_options::overwrite_existing);
    fs::permissions(temp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec,
                    fs::perm_options::replace);
    fs::rename(temp, plugins_dir() / name);
}

fs::path HostRig::write_file(const std::string& name, const std::string& text) {
    const auto file = path(name);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
    return file;
}

fs::path HostRig::write_config(const std::string& worker_yaml) {
    return write_file("faktory-host.yaml",
                      "faktory:\n  url: " + url() + "\n"
                      "worker:\n" + worker_yaml +
                      "  heartbeat_interval: 5s\n  shutdown_timeout: 2s\n"
                      "plugins:\n  dir: " + plugins_dir().string() + "\n"
                      "log:\n  level: debug\n");
}

HostProcess& HostRig::start_host(const std::vector<std::string>& extra) {
    std::vector<std::string> arguments{"--config", path("faktory-host.yaml").string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    host_ = std::make_unique<HostProcess>(HostProcess::Options{arguments, path("host.log"), {}, {}, dir()});
    return *host_;
}

Finished HostRig::run_command(const std::vector<std::string>& arguments,
                              const std::map<std::string, std::string>& environment,
                              const std::optional<fs::path>& input,
                              const std::optional<fs::path>& working_directory) {
    const auto log = path("command-" + std::to_string(++commands_run_) + ".log");
    command_logs_.push_back(log.string());
    return run_host_command(arguments, log, environment, input, working_directory.value_or(dir()));
}

Poco::JSON::Array::Ptr HostRig::stats_array(const std::string& name) {
    auto array = server_->stats()->getArray(name);
    return array ? array : Poco::JSON::Array::Ptr(new Poco::JSON::Array);
}

std::int64_t HostRig::processed() { return server_->stats()->getValue<std::int64_t>("processed"); }

std::int64_t HostRig::queue_size(const std::string& queue) {
    auto queues = server_->stats()->getObject("queues");
    return queues && queues->has(queue) ? queues->getValue<std::int64_t>(queue) : 0;
}

Poco::JSON::Object::Ptr HostRig::failure_of(const std::string& jid) {
    auto retries = stats_array("retries");
    for (std::size_t i = 0; i < retries->size(); ++i) {
        auto job = retries->getObject(static_cast<unsigned>(i));
        if (job->getValue<std::string>("jid") == jid) return job->getObject("failure");
    }
    return nullptr;
}

bool HostRig::working(const std::string& jid) {
    auto jobs = stats_array("working");
    for (std::size_t i = 0; i < jobs->size(); ++i)
        if (jobs->getObject(static_cast<unsigned>(i))->getValue<std::string>("jid") == jid) return true;
    return false;
}

std::string HostRig::worker_state(const std::string& wid) {
    auto workers = stats_array("workers");
    for (std::size_t i = 0; i < workers->size(); ++i) {
        auto w = workers->getObject(static_cast<unsigned>(i));
        if (w->getValue<std::string>("wid") == wid) return w->getValue<std::string>("state");
    }
    return "";
}

std::string HostRig::wait_for_worker(const std::string& state, const std::string& not_wid) {
    std::string found;
    eventually(
        [&] {
            auto workers = stats_array("workers");
            std::vector<std::string> matching;
            for (std::size_t i = 0; i < workers->size(); ++i) {
                auto w = workers->getObject(static_cast<unsigned>(i));
                const auto wid = w->getValue<std::string>("wid");
                if (wid != not_wid && w->getValue<std::string>("state") == state) matching.push_back(wid);
            }
            if (matching.size() == 1) found = matching.front();
            return matching.size() == 1;
        },
        std::chrono::seconds(15));
    return found;
}

std::string HostRig::push(const std::string& jobtype, const std::string& args_json, const std::string& queue) {
    protocol::ClientOptions options;
    options.url = protocol::ServerUrl::parse(url());
    protocol::Client producer(options);
    producer.connect();
    protocol::Job job(jobtype);
    job.set_args_json(args_json);
    job.set_queue(queue);
    producer.push(job);
    producer.end();
    return job.jid();
}

int HostRig::control(const std::string& wid, const std::string& action) {
    Poco::Net::HTTPClientSession session("127.0.0.1", server_->control_port());
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/workers/" + wid + "/" + action,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentLength(0);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    std::ostringstream ignored;
    ignored << body.rdbuf();
    return static_cast<int>(response.getStatus());
}

std::string HostRig::quoted(const fs::path& path) { return "\"" + path.string() + "\""; }

std::vector<std::string> HostRig::lines(const fs::path& file) {
    std::vector<std::string> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

} // namespace faktory_host::testing
