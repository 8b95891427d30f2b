// order_flow's tests, with the SDK's test kit: config, the count check, and the
// receipt its own thread pushes with options (awaited with a deadline, not a sleep).
#include <faktory/testing.hpp>

#include <chrono>
#include <thread>

namespace {

// The pushes once `count` have arrived, or what there is after 10 s.
std::vector<faktory::testing::Pushed> pushes_when(faktory::testing::PluginHost& host, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (host.pushes().size() < count && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return host.pushes();
}

} // namespace

int main() {
    auto host = faktory::testing::PluginHost::load(
        FAKTORY_PLUGIN_PATH, R"({"max_items": 3, "receipt_queue": "receipts", "receipt_retry": 4, "greeting": "Thanks"})");

    auto placed = host.run("PlaceOrder", R"(["A-1", 2])");
    FAKTORY_EXPECT(placed.acked());
    const auto pushed = pushes_when(host, 1);
    FAKTORY_EXPECT(pushed.size() == 1);
    if (pushed.size() == 1) {
        FAKTORY_EXPECT(pushed[0].jobtype == "SendReceipt");
        FAKTORY_EXPECT(pushed[0].queue == "receipts");
        FAKTORY_EXPECT(pushed[0].args[0].as_string() == "A-1");
        FAKTORY_EXPECT(pushed[0].job["retry"].as_int() == 4);
        FAKTORY_EXPECT(pushed[0].job["custom"]["order_id"].as_string() == "A-1");
        FAKTORY_EXPECT(pushed[0].job.find("at") == nullptr);  // no delay configured
    }

    auto too_many = host.run("PlaceOrder", R"(["A-2", 4])");
    FAKTORY_EXPECT(too_many.errtype == "std::out_of_range");
    FAKTORY_EXPECT(too_many.message == "order A-2: 4 items, allowed 1..3");

    FAKTORY_EXPECT(host.run("SendReceipt", R"(["A-1"])").logs.at(0).message == "Thanks (order A-1)");

    bool refused = false;
    try {
        faktory::testing::PluginHost::load(FAKTORY_PLUGIN_PATH, R"({"max_items": 0})");
    } catch (const std::runtime_error& e) {
        refused = std::string(e.what()).find("max_items must be positive") != std::string::npos;
    }
    FAKTORY_EXPECT(refused);
    return faktory::testing::failures();
}
