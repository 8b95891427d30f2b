// A consumer connection that follows the worker identity and reconnects with backoff.
#include "worker/worker_connection.hpp"

#include "metrics/host_counters.hpp"
#include "protocol/errors.hpp"
#include "worker/engine_context.hpp"

namespace faktory_host::worker {

using namespace std::chrono_literals;

WorkerConnection::WorkerConnection(EngineContext& context, std::string name)
    : context_(context), name_(std::move(name)) {}

WorkerConnection::~WorkerConnection() { end(); }

void WorkerConnection::end() {
    if (client_) client_->end();
    client_.reset();
    wid_.clear();
}

protocol::Client* WorkerConnection::ensure(std::stop_token stop,
                                           const std::function<void(protocol::Client&)>& before_leaving) {
    const auto snapshot = context_.identity.current();
    if (client_ && epoch_ != snapshot.epoch) {
        if (before_leaving && client_->connected()) {
            try {
                before_leaving(*client_);
            } catch (const std::exception& e) {
                context_.logger.debug(name_ + ": before leaving wid " + wid_ + ": " + e.what());
            }
        }
        end();  // the old wid is over: END it
    }
    if (client_ && client_->connected()) return client_.get();
    if (!snapshot.identity) {
        context_.wakeup.wait_for(100ms, stop);
        return nullptr;
    }
    auto options = context_.connection;
    options.worker = snapshot.identity;
    options.stop_connecting = stop;  // a stop (terminate) never waits out a connect or a silent greeting
    try {
        auto client = std::make_unique<protocol::Client>(options);
        client->connect();
        client_ = std::move(client);
        epoch_ = snapshot.epoch;
        wid_ = snapshot.identity->wid;
        return client_.get();
    } catch (const std::exception& e) {
        client_.reset();
        broken(e, stop);
        return nullptr;
    }
}

protocol::Client* WorkerConnection::current() const {
    if (!client_ || !client_->connected() || epoch_ != context_.identity.current().epoch) return nullptr;
    return client_.get();
}

void WorkerConnection::proved() {
    backoff_.reset();
    if (failing_) {
        failing_ = false;
        context_.outage.connection_restored();
        metrics::connection_restored();
    }
}

void WorkerConnection::broken(const std::exception& error, std::stop_token stop) {
    if (client_) client_->disconnect();
    client_.reset();
    wid_.clear();
    if (!failing_) {
        failing_ = true;
        context_.outage.connection_lost(name_, error.what());
        metrics::connection_lost();
    } else {
        context_.logger.debug(name_ + ": reconnect failed: " + error.what());
    }
    Wakeup::sleep_for(backoff_.next_delay(), stop);
}

} // namespace faktory_host::worker
