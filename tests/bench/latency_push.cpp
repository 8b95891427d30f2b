// faktory-bench-latency-push: the steady load of scripts/bench's latency
// figure. Pushes N "Latency" jobs at RATE jobs per second on one connection,
// each carrying args [pushed_us]: CLOCK_MONOTONIC in microseconds taken just
// before the job is sent (the handler records its start minus that). Job i is
// due at start + i / RATE; sends are at least 1 ms apart, and every job due by
// a send goes out in it, as one PUSHB when there are several (each still
// stamped when sent). One PUSH per job would cost the pusher and the server,
// which share the machine with the worker measured, more than the worker's
// own FETCH and ACK at the rates this runs at (over 10,000 jobs/s).
// Prints pushed=N seconds=S jobs_per_s=R on one line.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "protocol/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using faktory_host::protocol::Client;
using faktory_host::protocol::ClientOptions;
using faktory_host::protocol::Job;
using faktory_host::protocol::ServerUrl;

struct Settings {
    std::string url = "tcp://127.0.0.1:7419";
    long jobs = 10000;
    double rate = 1000;
    std::string queue = "default";
    std::string jobtype = "Latency";
};

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "faktory-bench-latency-push: " << problem << "\n"
              << "usage: faktory-bench-latency-push --url URL --jobs N --rate JOBS_PER_S [--queue Q] [--jobtype T]\n";
    std::exit(2);
}

Settings parse(int argc, char** argv) {
    Settings s;
    for (int i = 1; i < argc; i += 2) {
        const std::string key = argv[i];
        if (i + 1 >= argc) usage(key + " needs a value");
        const std::string value = argv[i + 1];
        if (key == "--url") s.url = value;
        else if (key == "--jobs") s.jobs = std::stol(value);
        else if (key == "--rate") s.rate = std::stod(value);
        else if (key == "--queue") s.queue = value;
        else if (key == "--jobtype") s.jobtype = value;
        else usage("unknown option " + key);
    }
    if (s.jobs < 1 || !(s.rate > 0)) usage("--jobs and --rate must be positive");
    return s;
}

std::int64_t monotonic_us() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

Job stamped(const Settings& s) {
    Job job(s.jobtype);
    job.set_queue(s.queue);
    job.set_args_json("[" + std::to_string(monotonic_us()) + "]");
    return job;
}

int run(const Settings& s) {
    ClientOptions options;
    options.url = ServerUrl::parse(s.url);
    Client client(options);
    client.connect();
    const auto start = Clock::now();
    const auto due = [&](long i) {
        return start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(i) / s.rate));
    };
    constexpr auto tick = std::chrono::milliseconds(1);
    auto last_send = start - tick;
    for (long sent = 0; sent < s.jobs;) {
        std::this_thread::sleep_until(std::max(due(sent), last_send + tick));
        last_send = Clock::now();
        // Every job due by now goes in this send.
        const auto now = Clock::now();
        long upto = sent + 1;
        while (upto < s.jobs && due(upto) <= now) ++upto;
        if (upto - sent == 1) {
            client.push(stamped(s));
        } else {
            std::vector<Job> batch;
            for (long i = sent; i < upto; ++i) batch.push_back(stamped(s));
            const auto rejected = client.push_bulk(batch);
            if (!rejected.empty()) {
                std::cerr << "faktory-bench-latency-push: " << rejected.size() << " job(s) rejected, e.g. "
                          << rejected.begin()->second << "\n";
                return 1;
            }
        }
        sent = upto;
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    client.end();
    std::cout << "pushed=" << s.jobs << " seconds=" << elapsed << " jobs_per_s=" << static_cast<double>(s.jobs) / elapsed
              << std::endl;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const auto settings = parse(argc, argv);
    try {
        return run(settings);
    } catch (const std::exception& e) {
        std::cerr << "faktory-bench-latency-push: " << e.what() << "\n";
        return 1;
    }
}
