// faktory-bench-raw-loop: the baseline scripts/bench compares faktory-host
// against. `push` enqueues N no-op jobs with PUSHB; `consume` runs C
// connections doing FETCH then ACK (no plugin, no engine) until N jobs are
// acknowledged, and prints throughput, per-job FETCH+ACK latency, CPU and
// peak RSS as key=value pairs on one line.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "protocol/client.hpp"
#include "protocol/errors.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using faktory_host::protocol::Client;
using faktory_host::protocol::ClientOptions;
using faktory_host::protocol::Job;
using faktory_host::protocol::ServerUrl;

struct Settings {
    std::string mode;
    std::string url = "tcp://127.0.0.1:7419";
    long jobs = 20000;
    int connections = 20;
    int batch = 1000;
    std::string jobtype = "Noop";
    std::string queue = "default";
    std::string args = "[]";
    double rate = 0;  // push: jobs per second, one at a time; 0 = batches as fast as possible
};

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "faktory-bench-raw-loop: " << problem << "\n"
              << "usage: faktory-bench-raw-loop push|consume [--url URL] [--jobs N] [--connections C]"
                 " [--batch B] [--jobtype T] [--queue Q] [--args JSON] [--rate JOBS_PER_S]\n";
    std::exit(2);
}

Settings parse(int argc, char** argv) {
    if (argc < 2) usage("no mode given");
    Settings s;
    s.mode = argv[1];
    if (s.mode != "push" && s.mode != "consume") usage("unknown mode " + s.mode);
    for (int i = 2; i < argc; i += 2) {
        const std::string key = argv[i];
        if (i + 1 >= argc) usage(key + " needs a value");
        const std::string value = argv[i + 1];
        if (key == "--url") s.url = value;
        else if (key == "--jobs") s.jobs = std::stol(value);
        else if (key == "--connections") s.connections = std::stoi(value);
        else if (key == "--batch") s.batch = std::stoi(value);
        else if (key == "--jobtype") s.jobtype = value;
        else if (key == "--queue") s.queue = value;
        else if (key == "--args") s.args = value;
        else if (key == "--rate") s.rate = std::stod(value);
        else usage("unknown option " + key);
    }
    if (s.jobs < 1 || s.connections < 1 || s.batch < 1) usage("--jobs, --connections and --batch must be positive");
    return s;
}

ClientOptions options_for(const Settings& s, bool consumer) {
    ClientOptions options;
    options.url = ServerUrl::parse(s.url);
    if (consumer) {
        // One identity for all connections, as one worker process would have.
        faktory_host::protocol::WorkerIdentity identity;
        identity.hostname = "bench";
        identity.wid = "bench-raw-loop";
        identity.pid = 1;
        options.worker = identity;
    }
    return options;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

int push(const Settings& s) {
    Client client(options_for(s, false));
    client.connect();
    const auto start = Clock::now();
    if (s.rate > 0) {
        // A steady stream: job i goes out at start + i / rate.
        for (long i = 0; i < s.jobs; ++i) {
            std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                      std::chrono::duration<double>(static_cast<double>(i) / s.rate)));
            Job job(s.jobtype);
            job.set_queue(s.queue);
            job.set_args_json(s.args);
            client.push(job);
        }
    }
    for (long pushed = s.rate > 0 ? s.jobs : 0; pushed < s.jobs;) {
        std::vector<Job> batch;
        for (; pushed < s.jobs && static_cast<int>(batch.size()) < s.batch; ++pushed) {
            Job job(s.jobtype);
            job.set_queue(s.queue);
            job.set_args_json(s.args);
            batch.push_back(std::move(job));
        }
        const auto rejected = client.push_bulk(batch);
        if (!rejected.empty()) {
            std::cerr << "faktory-bench-raw-loop: " << rejected.size() << " job(s) rejected, e.g. "
                      << rejected.begin()->second << "\n";
            return 1;
        }
    }
    const double elapsed = seconds_since(start);
    client.end();
    std::cout << "pushed=" << s.jobs << " seconds=" << elapsed << " jobs_per_s=" << s.jobs / elapsed << std::endl;
    return 0;
}

double percentile(std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    return sorted[index];
}

int consume(const Settings& s) {
    std::atomic<long> claimed{0};
    std::atomic<long> acked{0};
    std::atomic<bool> failed{false};
    std::vector<std::vector<double>> latencies(static_cast<std::size_t>(s.connections));
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int c = 0; c < s.connections; ++c) {
        threads.emplace_back([&, c] {
            try {
                Client client(options_for(s, true));
                client.connect();
                auto& mine = latencies[static_cast<std::size_t>(c)];
                // Claim a slot before fetching so exactly N jobs are fetched in all.
                while (claimed.fetch_add(1) < s.jobs) {
                    const auto began = Clock::now();
                    auto job = client.fetch({s.queue});
                    if (!job) {  // the queue ran dry: fewer jobs than promised
                        failed = true;
                        break;
                    }
                    client.ack(job->jid());
                    mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - began).count());
                    ++acked;
                }
                client.end();
            } catch (const std::exception& e) {
                std::cerr << "faktory-bench-raw-loop: " << e.what() << "\n";
                failed = true;
            }
        });
    }
    for (auto& t : threads) t.join();
    const double elapsed = seconds_since(start);

    std::vector<double> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::cout << "acked=" << acked.load() << " connections=" << s.connections << " seconds=" << elapsed
              << " jobs_per_s=" << static_cast<double>(acked.load()) / elapsed
              << " p50_us=" << percentile(all, 0.50) << " p99_us=" << percentile(all, 0.99)
              << " cpu_us_per_job=" << cpu * 1e6 / static_cast<double>(std::max(1L, acked.load()))
              << " peak_rss_kb=" << usage.ru_maxrss << std::endl;
    return failed ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    const auto settings = parse(argc, argv);
    try {
        return settings.mode == "push" ? push(settings) : consume(settings);
    } catch (const std::exception& e) {
        std::cerr << "faktory-bench-raw-loop: " << e.what() << "\n";
        return 1;
    }
}
