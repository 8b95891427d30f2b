// The test kit with the plugin's source linked into the test (no .so):
// PluginHost::linked() runs plugins/hello/hello.cpp, compiled in alongside.
#include <faktory/testing.hpp>

int main() {
    auto host = faktory::testing::PluginHost::linked();
    FAKTORY_EXPECT(host.name() == "hello");
    FAKTORY_EXPECT(host.jobtypes().size() == 3);
    const auto result = host.run_json(R"({"jid":"j1","jobtype":"Hello","args":["Linked"]})");
    FAKTORY_EXPECT(result.acked());
    FAKTORY_EXPECT(result.logs.size() == 1 && result.logs[0].message == "Hello, Linked!");
    const auto unknown = host.run("Nope");
    FAKTORY_EXPECT(unknown.failed() && unknown.errtype == "UnknownJobtype");
    return faktory::testing::failures();
}
