// WorkerRegistry: Faktory's heartbeat table and its one-way state machine.
#include "devserver/worker_registry.hpp"

#include <Poco/JSON/Object.h>

namespace faktory_host::devserver {

const char* to_string(LifecycleState state) {
    switch (state) {
    case LifecycleState::quiet: return "quiet";
    case LifecycleState::terminate: return "terminate";
    case LifecycleState::running: break;
    }
    return "running";
}

LifecycleState lifecycle_state_from(const std::string& text) {
    if (text == "quiet") return LifecycleState::quiet;
    if (text == "terminate") return LifecycleState::terminate;
    return LifecycleState::running;
}

namespace {
// running -> quiet -> terminate only; never back.
void advance(LifecycleState& state, LifecycleState wanted) {
    if (static_cast<int>(wanted) > static_cast<int>(state)) state = wanted;
}
} // namespace

WorkerRegistry::WorkerRegistry(const ServerClock& clock) : clock_(clock) {}

bool WorkerRegistry::add_connection(const WorkerIdentity& identity, ClosableConnection* connection) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = workers_.try_emplace(identity.wid);
    if (inserted) {
        it->second.identity = identity;
        it->second.last_beat = clock_.now();
    }
    it->second.connections.insert(connection);
    return inserted;
}

void WorkerRegistry::remove_connection(const std::string& wid, ClosableConnection* connection) {
    std::lock_guard lock(mutex_);
    const auto it = workers_.find(wid);
    if (it == workers_.end()) return;
    it->second.connections.erase(connection);
    if (it->second.connections.empty()) workers_.erase(it);
}

std::optional<LifecycleState> WorkerRegistry::beat(const std::string& wid, const std::string& current_state) {
    std::lock_guard lock(mutex_);
    const auto it = workers_.find(wid);
    if (it == workers_.end()) return std::nullopt;
    it->second.last_beat = clock_.now();
    if (!current_state.empty()) advance(it->second.state, lifecycle_state_from(current_state));
    return it->second.state;
}

LifecycleState WorkerRegistry::state_of(const std::string& wid) const {
    std::lock_guard lock(mutex_);
    const auto it = workers_.find(wid);
    return it == workers_.end() ? LifecycleState::running : it->second.state;
}

bool WorkerRegistry::signal(const std::string& wid, LifecycleState state) {
    std::lock_guard lock(mutex_);
    if (wid == "all") {
        for (auto& [id, worker] : workers_) advance(worker.state, state);
        return !workers_.empty();
    }
    const auto it = workers_.find(wid);
    if (it == workers_.end()) return false;
    advance(it->second.state, state);
    return true;
}

std::size_t WorkerRegistry::reap(std::chrono::seconds silence) {
    const TimePoint cutoff = clock_.now() - silence;
    std::size_t reaped = 0;
    // Closing only shuts the sockets down (cheap, safe under the lock, and the
    // lock keeps each connection alive: it unregisters here before it dies).
    // Each connection's own thread then finds its wid already gone.
    std::lock_guard lock(mutex_);
    for (auto it = workers_.begin(); it != workers_.end();) {
        if (it->second.last_beat < cutoff) {
            for (ClosableConnection* connection : it->second.connections) connection->close_from_server();
            it = workers_.erase(it);
            ++reaped;
        } else {
            ++it;
        }
    }
    return reaped;
}

std::size_t WorkerRegistry::size() const {
    std::lock_guard lock(mutex_);
    return workers_.size();
}

Poco::JSON::Array::Ptr WorkerRegistry::describe() const {
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    std::lock_guard lock(mutex_);
    for (const auto& [wid, worker] : workers_) {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("wid", wid);
        entry->set("hostname", worker.identity.hostname);
        entry->set("pid", worker.identity.pid);
        Poco::JSON::Array::Ptr labels = new Poco::JSON::Array;
        for (const auto& label : worker.identity.labels) labels->add(label);
        entry->set("labels", labels);
        entry->set("state", std::string(to_string(worker.state)));
        entry->set("last_beat", format_rfc3339(worker.last_beat));
        entry->set("connections", static_cast<std::int64_t>(worker.connections.size()));
        array->add(entry);
    }
    return array;
}

} // namespace faktory_host::devserver
