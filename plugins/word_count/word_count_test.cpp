// word_count's tests, with the SDK's test kit: a C plugin tested from C++.
#include <faktory/testing.hpp>

int main() {
    auto host = faktory::testing::PluginHost::load(FAKTORY_PLUGIN_PATH);
    auto counted = host.run("CountWords", R"(["the quick  brown fox"])");
    FAKTORY_EXPECT(counted.acked());
    FAKTORY_EXPECT(counted.logs.size() == 1);
    if (!counted.logs.empty()) std::printf("logged: %s\n", counted.logs[0].message.c_str());
    FAKTORY_EXPECT(!counted.logs.empty() && counted.logs[0].message.find('4') != std::string::npos);

    auto wrong = host.run("CountWords", "[7]");
    FAKTORY_EXPECT(wrong.failed());
    FAKTORY_EXPECT(wrong.errtype == "ArgumentError");
    return faktory::testing::failures();
}
