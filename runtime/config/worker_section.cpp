// The `worker:` section: one pool (concurrency + queues or weights) or several
// named pools, labels, heartbeat and shutdown timing, quiet behaviour, job timeouts.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <set>

#include "config/sections.hpp"

namespace faktory_host::config {

namespace {

using std::chrono::seconds;

constexpr unsigned max_concurrency = 1000;

std::string read_queue_name(const ConfigNode& node) {
    auto name = node.as_string();
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
    });
    if (!valid)
        node.fail("queue name '" + name + "' may only contain letters, digits, '.', '_' and '-'");
    return name;
}

// `queues` (strict order) or `weights` (weighted random) of one pool.
QueueSelection read_queue_selection(const std::optional<ConfigNode>& queues,
                                    const std::optional<ConfigNode>& weights) {
    QueueSelection selection;
    if (queues && weights)
        weights->fail("give either queues (strict order) or weights (weighted random), not both");
    if (queues) {
        selection.queues.clear();
        std::set<std::string> seen;
        for (const auto& item : queues->items()) {
            auto name = read_queue_name(item);
            if (!seen.insert(name).second) item.fail("queue '" + name + "' is listed twice");
            selection.queues.push_back(std::move(name));
        }
        if (selection.queues.empty()) queues->fail("needs at least one queue");
    }
    if (weights) {
        selection.order = QueueSelection::Order::weighted;
        selection.queues.clear();
        for (const auto& [key, value] : weights->entries()) {
            selection.queues.push_back(read_queue_name(key));
            selection.weights.push_back(value.as_unsigned(1, 1'000'000));
        }
        if (selection.queues.empty()) weights->fail("needs at least one queue: weight");
    }
    return selection;
}

PoolConfig read_pool(const ConfigNode& node) {
    node.expect_keys({"name", "concurrency", "queues", "weights"});
    PoolConfig pool;
    const auto name = node.child("name");
    if (!name) node.fail("every pool needs a name");
    pool.name = read_queue_name(*name);
    if (auto concurrency = node.child("concurrency")) pool.concurrency = concurrency->as_unsigned(1, max_concurrency);
    pool.queues = read_queue_selection(node.child("queues"), node.child("weights"));
    return pool;
}

std::vector<PoolConfig> read_pools(const ConfigNode& node) {
    std::vector<PoolConfig> pools;
    std::set<std::string> names;
    for (const auto& item : node.items()) {
        auto pool = read_pool(item);
        if (!names.insert(pool.name).second) item.fail("pool name '" + pool.name + "' is used twice");
        pools.push_back(std::move(pool));
    }
    if (pools.empty()) node.fail("needs at least one pool");
    return pools;
}

std::map<std::string, Duration> read_job_timeouts(const ConfigNode& node) {
    std::map<std::string, Duration> timeouts;
    for (const auto& [key, value] : node.entries()) {
        const auto jobtype = key.as_string();
        if (jobtype.empty()) key.fail("a jobtype must not be empty (use \"*\" for every jobtype)");
        const auto limit = value.as_duration(max_duration);
        if (limit <= Duration::zero()) value.fail("must be longer than 0");
        timeouts[jobtype] = limit;
    }
    return timeouts;
}

// worker.state_dir, else the first folder of systemd's $STATE_DIRECTORY
// (StateDirectory= in the unit), else "state" next to the config file.
std::filesystem::path read_state_dir(const ConfigNode& section) {
    if (auto dir = section.child("state_dir")) return dir->as_path();
    if (const char* systemd = std::getenv("STATE_DIRECTORY"); systemd && *systemd) {
        const std::string first = std::string(systemd).substr(0, std::string(systemd).find(':'));
        if (!first.empty()) return section.resolve(first);
    }
    return section.resolve(WorkerConfig{}.state_dir);
}

} // namespace

WorkerConfig read_worker_section(const ConfigNode& section) {
    section.expect_keys({"concurrency", "queues", "weights", "pools", "labels", "heartbeat_interval",
                         "shutdown_timeout", "on_quiet", "job_timeout", "state_dir", "hostname"});
    WorkerConfig worker;

    const auto concurrency = section.child("concurrency");
    const auto queues = section.child("queues");
    const auto weights = section.child("weights");
    if (auto pools = section.child("pools")) {
        for (const auto* single : {&concurrency, &queues, &weights})
            if (*single)
                (*single)->fail("cannot be combined with worker.pools; give each pool its own concurrency "
                                "and queues or weights");
        worker.pools = read_pools(*pools);
    } else {
        PoolConfig pool;
        if (concurrency) pool.concurrency = concurrency->as_unsigned(1, max_concurrency);
        pool.queues = read_queue_selection(queues, weights);
        worker.pools = {pool};
    }

    if (auto labels = section.child("labels")) {
        for (const auto& item : labels->items()) {
            auto label = item.as_string();
            if (label.empty()) item.fail("a label must not be empty");
            worker.labels.push_back(std::move(label));
        }
    }
    if (auto hostname = section.child("hostname")) {
        worker.hostname = hostname->as_string();
        if (worker.hostname.empty()) hostname->fail("must not be empty (leave it out for the machine's host name)");
    }
    if (auto interval = section.child("heartbeat_interval")) {
        worker.heartbeat_interval = interval->as_duration();
        if (worker.heartbeat_interval < seconds(5) || worker.heartbeat_interval > seconds(60))
            interval->fail("must be between 5s and 60s, got '" + interval->as_string() + "'");
    }
    if (auto timeout = section.child("shutdown_timeout"))
        worker.shutdown_timeout = timeout->as_duration(WorkerConfig::max_shutdown_timeout);
    if (auto on_quiet = section.child("on_quiet")) {
        const auto text = on_quiet->as_string();
        if (text == "reload")
            worker.on_quiet = WorkerConfig::OnQuiet::reload;
        else if (text == "stay")
            worker.on_quiet = WorkerConfig::OnQuiet::stay;
        else
            on_quiet->fail("expected 'reload' or 'stay', got '" + text + "'");
    }
    if (auto timeouts = section.child("job_timeout")) worker.job_timeout = read_job_timeouts(*timeouts);
    worker.state_dir = read_state_dir(section);
    return worker;
}

} // namespace faktory_host::config
