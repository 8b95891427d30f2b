// hello's tests, with the SDK's test kit: the built hello.so runs in process.
#include <faktory/testing.hpp>

int main() {
    auto host = faktory::testing::PluginHost::load(FAKTORY_PLUGIN_PATH);
    FAKTORY_EXPECT(host.name() == "hello");

    auto greeted = host.run("Hello", R"(["Ann"])");
    FAKTORY_EXPECT(greeted.acked());
    FAKTORY_EXPECT(greeted.logs.size() == 1 && greeted.logs[0].message == "Hello, Ann!");

    FAKTORY_EXPECT(host.run("Hello").logs.at(0).message == "Hello, world!");

    auto failed = host.run("AlwaysFails");
    FAKTORY_EXPECT(failed.failed());
    FAKTORY_EXPECT(failed.errtype == "std::runtime_error");
    FAKTORY_EXPECT(failed.message == "AlwaysFails fails on purpose, to show a failed job");

    auto wrong = host.run("Hello", "[42]");
    FAKTORY_EXPECT(wrong.errtype == "faktory::ArgumentError");
    FAKTORY_EXPECT(wrong.message == "argument 0: expected string, got integer");

    FAKTORY_EXPECT(host.run("Noop").acked());
    return faktory::testing::failures();
}
