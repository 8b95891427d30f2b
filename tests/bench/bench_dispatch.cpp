// faktory-bench-dispatch: the host-side cost of one job dispatch through the
// plugin ABI — PluginGeneration::run() of the hello plugin's no-op "Noop"
// handler, and of a handler reading one typed argument — in ns/job.
//   faktory-bench-dispatch [jobs] [threads] [plugin.so]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "plugins/plugin_generation.hpp"

namespace fs = std::filesystem;
namespace plugins = faktory_host::plugins;

namespace {

double ns_per_job(const plugins::PluginGeneration& generation, const plugins::JobInput& job, long jobs, int threads,
                  const plugins::HostServices& services) {
    std::vector<std::thread> pool;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (long i = 0; i < jobs; ++i) {
                if (generation.run(job, {}, services).status != plugins::JobOutcome::Status::ack) std::abort();
            }
        });
    for (auto& thread : pool) thread.join();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    // Per job per thread: the latency one processor thread pays for a dispatch.
    return std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(jobs);
}

} // namespace

int main(int argc, char** argv) {
    const long jobs = argc > 1 ? std::atol(argv[1]) : 2'000'000;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
    const fs::path plugin = argc > 3 ? fs::path(argv[3]) : fs::path(FAKTORY_BENCH_PLUGIN);

    // A private plugins directory holding just the benchmarked plugin.
    std::string pattern = (fs::temp_directory_path() / "faktory-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) return 1;
    const fs::path dir = pattern;
    fs::copy_file(plugin, dir / plugin.filename());

    plugins::LoaderOptions options;
    options.dir = dir;
    plugins::LoadReport report;
    auto generation = plugins::PluginGeneration::load(options, report);
    fs::remove_all(dir);
    for (const auto& error : report.errors) std::cerr << error.message << "\n";
    if (!generation->handles("Noop") || !generation->handles("Hello")) {
        std::cerr << plugin << " has no Noop/Hello handlers\n";
        return 1;
    }

    plugins::HostServices services;
    services.log = [](plugins::LogLevel, const plugins::JobInput&, std::string_view) {};
    plugins::JobInput noop{"0123456789abcdef01234567", "Noop", "default", R"(["a", 1, 2.5])", "{}", 0};
    plugins::JobInput typed{"0123456789abcdef01234567", "Hello", "default", R"(["world"])", "{}", 0};

    ns_per_job(*generation, noop, std::min(jobs, 100'000L), 1, services);  // warm up
    const double noop_ns = ns_per_job(*generation, noop, jobs, threads, services);
    const double typed_ns = ns_per_job(*generation, typed, std::max(jobs / 10, 1L), threads, services);
    std::cout << "dispatch (Noop, no arg access): " << noop_ns << " ns/job over " << jobs << " jobs x " << threads
              << " thread(s)\n"
              << "dispatch + parse args + arg<std::string>(0) + log (Hello): " << typed_ns << " ns/job\n"
              << "target: under 1000 ns/job for the no-op dispatch: " << (noop_ns < 1000 ? "met" : "MISSED") << "\n";
    return 0;
}
