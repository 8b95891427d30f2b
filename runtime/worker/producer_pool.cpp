// The producer connection pool.
#include "worker/producer_pool.hpp"

#include "protocol/errors.hpp"

namespace faktory_host::worker {

ProducerPool::ProducerPool(protocol::ClientOptions options, std::size_t max_idle)
    : options_(std::move(options)), max_idle_(max_idle) {
    options_.worker.reset();  // producers never carry the worker identity
}

ProducerPool::~ProducerPool() { close_all(); }

std::unique_ptr<protocol::Client> ProducerPool::take() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto client = std::move(idle_.back());
            idle_.pop_back();
            return client;
        }
    }
    auto client = std::make_unique<protocol::Client>(options_);
    client->connect();
    return client;
}

void ProducerPool::give_back(std::unique_ptr<protocol::Client> client) {
    {
        std::lock_guard lock(mutex_);
        if (idle_.size() < max_idle_) {
            idle_.push_back(std::move(client));
            return;
        }
    }
    client->end();
}

void ProducerPool::with_client(const std::function<void(protocol::Client&)>& use) {
    auto client = take();
    try {
        use(*client);
    } catch (const protocol::ServerError&) {
        give_back(std::move(client));  // the server answered: the connection is fine
        throw;
    } catch (...) {
        client->disconnect();
        throw;
    }
    give_back(std::move(client));
}

std::string ProducerPool::push(std::string_view jobtype, std::string_view args_json, std::string_view queue) {
    protocol::Job job{std::string(jobtype)};
    job.set_args_json(std::string(args_json));
    if (!queue.empty()) job.set_queue(std::string(queue));
    for (int attempt = 1;; ++attempt) {
        try {
            with_client([&](protocol::Client& client) { client.push(job); });
            return job.jid();
        } catch (const protocol::ConnectionError&) {
            if (attempt == 2) throw;
        } catch (const protocol::ProtocolError&) {
            if (attempt == 2) throw;
        }
    }
}

void ProducerPool::close_all() {
    std::vector<std::unique_ptr<protocol::Client>> idle;
    {
        std::lock_guard lock(mutex_);
        idle.swap(idle_);
    }
    for (auto& client : idle) client->end();
}

} // namespace faktory_host::worker
