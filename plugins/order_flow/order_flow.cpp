// order_flow: reads its configuration block at init and pushes a follow-up job.
// "PlaceOrder" [order_id, item_count] checks the count against max_items and
// enqueues "SendReceipt" [order_id] on the configured queue; "SendReceipt" logs.
//
// faktory-host.yaml:
//   plugins:
//     config:
//       order-flow: { max_items: 50, receipt_queue: low, greeting: "Thanks for your order" }
#include <faktory/plugin.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

// Read once at init; handlers only read it, so sharing it between threads is safe.
struct Settings {
    std::int64_t max_items;
    std::string receipt_queue;
    std::string greeting;
};

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

} // namespace

FAKTORY_PLUGIN("order-flow", "1.0.0", plugin) {
    auto settings = std::make_shared<const Settings>(Settings{
        plugin.config<std::int64_t>("max_items", 100),
        plugin.config("receipt_queue", "default"),
        plugin.config("greeting", "Thank you for your order"),
    });
    if (settings->max_items <= 0) throw std::invalid_argument("order-flow: max_items must be positive");

    plugin.handle("PlaceOrder", [settings](faktory::Job& job) {
        const auto order_id = job.arg<std::string>(0);
        const auto items = job.arg<std::int64_t>(1);
        if (items <= 0 || items > settings->max_items)
            throw std::out_of_range("order " + order_id + ": " + std::to_string(items) + " items, allowed 1.." +
                                    std::to_string(settings->max_items));
        const auto receipt = job.push("SendReceipt", "[" + quoted(order_id) + "]", settings->receipt_queue);
        job.log("order " + order_id + " placed; receipt job " + receipt + " on " + settings->receipt_queue);
    });
    plugin.handle("SendReceipt", [settings](faktory::Job& job) {
        job.log(settings->greeting + " (order " + job.arg<std::string>(0) + ")");
    });
}
