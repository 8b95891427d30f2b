// The producer connection pool.
#include "worker/producer_pool.hpp"

#include "plugins/push_outcome.hpp"
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
    return push(job);
}

std::string ProducerPool::push(const protocol::Job& job) {
    // Sent twice, a job runs twice: a second attempt is made only when the
    // first certainly never reached the server (no connection, or the write
    // failed). Once the PUSH went out, a lost reply is reported, not retried.
    for (int attempt = 1;; ++attempt) {
        std::unique_ptr<protocol::Client> client;
        try {
            client = take();
        } catch (const protocol::AuthenticationError&) {
            throw;
        } catch (const protocol::FaktoryError&) {
            if (attempt == 2) throw;
            continue;
        }
        try {
            client->push(job);
        } catch (const protocol::ServerError&) {
            give_back(std::move(client));  // the server answered: the connection is fine
            throw;
        } catch (const protocol::ReplyLostError& e) {
            client->disconnect();
            throw plugins::PushOutcomeUnknown(job.jid(), e.what());
        } catch (const protocol::ProtocolError& e) {
            client->disconnect();
            throw plugins::PushOutcomeUnknown(job.jid(), std::string("PUSH was sent but its reply was garbled: ") +
                                                             e.what());
        } catch (const protocol::ConnectionError&) {
            client->disconnect();  // the write failed: the server never had the whole command
            if (attempt == 2) throw;
            continue;
        }
        give_back(std::move(client));
        return job.jid();
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
