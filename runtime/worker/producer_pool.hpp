// A small pool of producer connections (no worker identity) for the calls
// handlers make through HostServices::push, and for delivering results on a
// connection that no busy processor owns (the FAILs of a shutdown).
// Thread-safe: a Client is used by one caller at a time.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/client.hpp"

namespace faktory_host::worker {

class ProducerPool {
public:
    explicit ProducerPool(protocol::ClientOptions options, std::size_t max_idle = 4);
    ~ProducerPool();

    // Runs `use` with a connected client. A client that failed with anything but
    // a ServerError (the server's answer to a command) is dropped, not pooled.
    void with_client(const std::function<void(protocol::Client&)>& use);

    // Enqueues a job; returns its jid. Retried once on a fresh connection only
    // when the PUSH certainly did not reach the server (connect or write
    // failed); when it was written but the reply was lost, throws
    // plugins::PushOutcomeUnknown (naming the jid) instead of pushing twice.
    std::string push(std::string_view jobtype, std::string_view args_json, std::string_view queue);
    // The same for a whole job (SDK 1.1 pushes with options); returns its jid.
    std::string push(const protocol::Job& job);

    // Ends every idle connection.
    void close_all();

private:
    std::unique_ptr<protocol::Client> take();
    void give_back(std::unique_ptr<protocol::Client> client);

    protocol::ClientOptions options_;
    std::size_t max_idle_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<protocol::Client>> idle_;
};

} // namespace faktory_host::worker
