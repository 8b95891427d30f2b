// timing's tests, with the SDK's test kit: the middleware wraps stand-in
// handlers and logs each job's jobtype, time and outcome.
#include <faktory/testing.hpp>

namespace {

int ack(faktory_job*, void*) { return FAKTORY_OK; }
int fail(faktory_job*, void*) { return FAKTORY_ERROR; }

} // namespace

int main() {
    auto host = faktory::testing::PluginHost::load(FAKTORY_PLUGIN_PATH, R"({"jobtypes": ["Fast", "Broken"]})");
    host.add_handler("Fast", &ack);
    host.add_handler("Broken", &fail);
    host.add_handler("Untimed", &ack);

    auto fast = host.run("Fast");
    FAKTORY_EXPECT(fast.acked());
    FAKTORY_EXPECT(fast.logs.size() == 1 && fast.logs[0].message.rfind("Fast took ", 0) == 0 &&
                   fast.logs[0].message.find(" ms: ACK") != std::string::npos);

    auto broken = host.run("Broken");
    FAKTORY_EXPECT(broken.failed());
    FAKTORY_EXPECT(broken.logs.size() == 1 && broken.logs[0].message.find(" ms: FAIL") != std::string::npos);

    FAKTORY_EXPECT(host.run("Untimed").logs.empty());  // not among the configured jobtypes
    return faktory::testing::failures();
}
