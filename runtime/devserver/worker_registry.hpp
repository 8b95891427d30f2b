// The consumer processes the dev server knows, keyed by wid, as Faktory keeps
// them: registered by HELLO, kept alive by BEAT, forgotten when their last
// connection closes, reaped (connections closed) after 60 s without a BEAT.
#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>

#include "devserver/server_clock.hpp"

namespace faktory_host::devserver {

enum class LifecycleState { running = 0, quiet = 1, terminate = 2 };
const char* to_string(LifecycleState);
// "quiet" / "terminate"; anything else means running (as in Faktory).
LifecycleState lifecycle_state_from(const std::string& text);

// What the registry needs from a connection: a way to close it.
class ClosableConnection {
public:
    virtual ~ClosableConnection() = default;
    virtual void close_from_server() = 0;  // callable from any thread
};

struct WorkerIdentity {
    std::string wid;
    std::string hostname;
    std::int64_t pid = 0;
    std::vector<std::string> labels;
};

class WorkerRegistry {
public:
    explicit WorkerRegistry(const ServerClock& clock);

    // HELLO with a wid. Returns true when this connection registered the wid
    // (it was unknown), which is the one connection Faktory refuses FETCH to once quiet.
    bool add_connection(const WorkerIdentity& identity, ClosableConnection* connection);
    void remove_connection(const std::string& wid, ClosableConnection* connection);

    // BEAT: nullopt for an unknown wid; otherwise the state to answer with.
    std::optional<LifecycleState> beat(const std::string& wid, const std::string& current_state);
    LifecycleState state_of(const std::string& wid) const;  // running when unknown

    // As the Web UI does; "all" signals every worker. False when no worker matched.
    bool signal(const std::string& wid, LifecycleState state);

    // Closes the connections of workers silent for longer than `silence` and forgets them.
    std::size_t reap(std::chrono::seconds silence = std::chrono::seconds(60));

    Poco::JSON::Array::Ptr describe() const;
    std::size_t size() const;  // worker processes (wids) with a live connection

private:
    struct Worker {
        WorkerIdentity identity;
        LifecycleState state = LifecycleState::running;
        TimePoint last_beat;
        std::set<ClosableConnection*> connections;
    };

    const ServerClock& clock_;
    mutable std::mutex mutex_;
    std::map<std::string, Worker> workers_;
};

} // namespace faktory_host::devserver
