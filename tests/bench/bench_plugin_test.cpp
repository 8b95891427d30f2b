// The bench plugin in process (the SDK's test kit): Noop ACKs; Latency records
// start minus the pushed time, and the samples reach the file once `expect`
// of them are in; a Latency job without its time FAILs.
#include <faktory/testing.hpp>

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::int64_t monotonic_us() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

std::vector<long long> read_samples(const std::string& path) {
    std::vector<long long> samples;
    std::ifstream in(path);
    for (long long value = 0; in >> value;) samples.push_back(value);
    return samples;
}

} // namespace

int main() {
    char folder[] = "/tmp/bench-plugin-test-XXXXXX";
    FAKTORY_EXPECT(mkdtemp(folder) != nullptr);
    const std::string out = std::string(folder) + "/latency.txt";
    auto host = faktory::testing::PluginHost::load(FAKTORY_PLUGIN_PATH, R"({"out": ")" + out + R"(", "expect": 3})");

    FAKTORY_EXPECT(host.run("Noop").acked());
    // Pushed 5 ms "ago": every sample is at least 5000 µs and well under a minute.
    for (int i = 0; i < 2; ++i) {
        FAKTORY_EXPECT(host.run("Latency", "[" + std::to_string(monotonic_us() - 5000) + "]").acked());
    }
    FAKTORY_EXPECT(read_samples(out).empty());  // not written before `expect` samples
    FAKTORY_EXPECT(host.run("Latency", "[" + std::to_string(monotonic_us() - 5000) + "]").acked());
    const auto samples = read_samples(out);
    FAKTORY_EXPECT(samples.size() == 3);
    for (const auto sample : samples) FAKTORY_EXPECT(sample >= 5000 && sample < 60000000);

    FAKTORY_EXPECT(host.run("Latency").failed());

    unlink(out.c_str());
    rmdir(folder);
    return faktory::testing::failures();
}
