// `faktory-host push`: enqueues one job on the configured server (a producer
// connection, no worker identity) and prints its jid.
#include <iostream>

#include "app/commands.hpp"
#include "app/host_settings.hpp"
#include "protocol/client.hpp"
#include "protocol/errors.hpp"

namespace faktory_host::app {

int run_push(const CommandLine& line) {
    const auto config = load_settings(line);
    const auto connection = connection_options(config, line.overrides);
    configure_logging_for(config);

    const auto& request = line.push;
    protocol::Job job(request.jobtype);
    try {
        job.set_args_json(request.args_json);
    } catch (const protocol::ProtocolError&) {
        throw UsageError("--args must be a JSON array, e.g. '[1, \"two\"]'; got " + request.args_json);
    }
    job.set_queue(request.queue);
    if (request.at) job.set_at(*request.at);
    if (request.retry) job.set_retry(*request.retry);

    protocol::Client client(connection);
    try {
        client.connect();
        client.push(job);
    } catch (const protocol::ServerError& e) {
        std::cerr << "faktory-host: " << connection.url.masked() << " refused the job: " << e.server_message()
                  << std::endl;
        return 1;
    } catch (const protocol::FaktoryError& e) {
        std::cerr << "faktory-host: cannot push to " << connection.url.masked() << ": " << e.what() << std::endl;
        return 1;
    }
    client.end();
    std::cout << job.jid() << std::endl;
    return 0;
}

} // namespace faktory_host::app
