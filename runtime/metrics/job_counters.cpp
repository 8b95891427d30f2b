// Per-thread, append-only lists of counters. The owning thread is the only
// writer: it finds or prepends an entry (publishing it with a release store)
// and bumps plain atomics; a scrape walks the lists from an acquire load.
#include "metrics/job_counters.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace faktory_host::metrics {

namespace {

void bump(std::atomic<std::uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

struct JobEntry {
    JobEntry(std::string pool_in, std::string jobtype_in)
        : pool(std::move(pool_in)), jobtype(std::move(jobtype_in)), duration(job_duration_buckets()) {}
    const std::string pool;
    const std::string jobtype;
    std::atomic<std::uint64_t> ack{0};
    std::atomic<std::uint64_t> fail{0};
    SingleWriterHistogram duration;
    JobEntry* next = nullptr;  // set before publication, never changed after
};

struct PoolEntry {
    explicit PoolEntry(std::string pool_in) : pool(std::move(pool_in)) {}
    const std::string pool;
    std::atomic<std::int64_t> in_flight{0};
    PoolEntry* next = nullptr;
};

// Finds `matches` in a list or prepends `make()`; only the owning thread calls it.
template <typename Entry, typename Matches, typename Make>
Entry& find_or_add(std::atomic<Entry*>& head, std::size_t& size, Matches matches, Make make) {
    for (Entry* entry = head.load(std::memory_order_relaxed); entry; entry = entry->next)
        if (matches(*entry)) return *entry;
    Entry* created = make();
    created->next = head.load(std::memory_order_relaxed);
    head.store(created, std::memory_order_release);
    ++size;
    return *created;
}

struct ThreadCounters {
    ThreadCounters() : fetch_wait(fetch_wait_buckets()) {}
    ~ThreadCounters() {
        for (auto* e = jobs.load(); e;) delete std::exchange(e, e->next);
        for (auto* p = pools.load(); p;) delete std::exchange(p, p->next);
    }

    JobEntry& job(const std::string& pool, const std::string& jobtype) {
        for (JobEntry* entry = jobs.load(std::memory_order_relaxed); entry; entry = entry->next)
            if (entry->jobtype == jobtype && entry->pool == pool) return *entry;
        const std::string& key = job_count >= max_jobtypes_per_thread ? overflow : jobtype;
        auto matches = [&](const JobEntry& e) { return e.jobtype == key && e.pool == pool; };
        return find_or_add(jobs, job_count, matches, [&] { return new JobEntry(pool, key); });
    }
    PoolEntry& pool(const std::string& name) {
        return find_or_add(pools, pool_count, [&](const PoolEntry& p) { return p.pool == name; },
                           [&] { return new PoolEntry(name); });
    }

    const std::string overflow = overflow_jobtype;
    std::atomic<JobEntry*> jobs{nullptr};
    std::atomic<PoolEntry*> pools{nullptr};
    std::size_t job_count = 0;   // owner only
    std::size_t pool_count = 0;  // owner only
    SingleWriterHistogram fetch_wait;
};

struct Registry {
    std::mutex mutex;
    std::vector<std::unique_ptr<ThreadCounters>> threads;
};

// Leaked on purpose: threads left behind at exit may still record into it.
Registry& registry() {
    static auto* instance = new Registry;
    return *instance;
}

ThreadCounters& mine() {
    thread_local ThreadCounters* counters = nullptr;
    if (!counters) {
        auto& reg = registry();
        std::lock_guard lock(reg.mutex);  // once per thread, never again
        counters = reg.threads.emplace_back(std::make_unique<ThreadCounters>()).get();
    }
    return *counters;
}

} // namespace

void record_job(const std::string& pool, const std::string& jobtype, bool acked, double seconds) {
    auto& entry = mine().job(pool, jobtype);
    bump(acked ? entry.ack : entry.fail);
    entry.duration.observe(seconds);
}

void record_fetch_wait(double seconds) { mine().fetch_wait.observe(seconds); }

InFlightJob::InFlightJob(const std::string& pool) : slot_(&mine().pool(pool)) {
    auto& in_flight = static_cast<PoolEntry*>(slot_)->in_flight;
    in_flight.store(in_flight.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

InFlightJob::~InFlightJob() {
    auto& in_flight = static_cast<PoolEntry*>(slot_)->in_flight;
    in_flight.store(in_flight.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
}

JobCountsSnapshot snapshot_job_counts() {
    JobCountsSnapshot out;
    out.fetch_wait = SingleWriterHistogram(fetch_wait_buckets()).snapshot();
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    for (const auto& thread : reg.threads) {
        for (auto* e = thread->jobs.load(std::memory_order_acquire); e; e = e->next) {
            auto& counts = out.by_pool_and_jobtype[{e->pool, e->jobtype}];
            counts.ack += e->ack.load(std::memory_order_relaxed);
            counts.fail += e->fail.load(std::memory_order_relaxed);
            counts.duration.merge(e->duration.snapshot());
        }
        for (auto* p = thread->pools.load(std::memory_order_acquire); p; p = p->next)
            out.in_flight_by_pool[p->pool] += p->in_flight.load(std::memory_order_relaxed);
        out.fetch_wait.merge(thread->fetch_wait.snapshot());
    }
    return out;
}

} // namespace faktory_host::metrics
