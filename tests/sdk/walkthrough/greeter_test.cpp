#include <faktory/testing.hpp>

int main() {
    auto host = faktory::testing::PluginHost::load(FAKTORY_PLUGIN_PATH, R"({"greeting": "Hi"})");

    auto result = host.run("Greet", R"([["Ann", "Bo"]])");
    FAKTORY_EXPECT(result.acked());
    FAKTORY_EXPECT(result.logs.size() == 2 && result.logs[1].message == "Hi, Bo!");
    FAKTORY_EXPECT(result.pushes.size() == 2 && result.pushes[0].jobtype == "Greeted");

    auto empty = host.run("Greet", "[[]]");
    FAKTORY_EXPECT(empty.failed() && empty.message == "nobody to greet");
    return faktory::testing::failures();
}
