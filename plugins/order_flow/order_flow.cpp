// order_flow: reads its configuration block at init, keeps its state in a
// plugin instance, and pushes follow-up jobs with options from a thread of its own.
// "PlaceOrder" [order_id, item_count] checks the count against max_items and
// hands the order to the receipt sender, a background thread that pushes
// "SendReceipt" [order_id] on the configured queue with the configured retry
// policy, delay and a custom {"order_id": ...}; "SendReceipt" logs.
//
// faktory-host.yaml:
//   plugins:
//     config:
//       order-flow: { max_items: 50, receipt_queue: low, receipt_retry: 5, receipt_delay_seconds: 60,
//                     greeting: "Thanks for your order" }
#include <faktory/plugin.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

// Read once at init; handlers only read it, so sharing it between threads is safe.
struct Settings {
    std::int64_t max_items;
    std::string receipt_queue;
    std::optional<int> receipt_retry;
    int receipt_delay_seconds;
    std::string greeting;
};

// RFC 3339 (UTC) `seconds` from now.
std::string rfc3339_in(int seconds) {
    const std::time_t when = std::time(nullptr) + seconds;
    std::tm utc{};
    gmtime_r(&when, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

// The plugin's instance: a queue of orders and the thread that pushes their
// receipts through the host handle, so PlaceOrder returns without waiting on the server.
class ReceiptSender {
public:
    ReceiptSender(faktory::Host host, Settings settings) : host_(host), settings_(std::move(settings)) {
        thread_ = std::thread([this] { run(); });
    }
    ~ReceiptSender() { stop(); }

    const Settings& settings() const { return settings_; }

    void enqueue(std::string order_id) {
        {
            std::lock_guard lock(mutex_);
            orders_.push_back(std::move(order_id));
        }
        wake_.notify_one();
    }

    // Sends what is queued, then ends the thread. Runs at shutdown, after the last PlaceOrder returned.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

private:
    void run() {
        std::unique_lock lock(mutex_);
        while (true) {
            wake_.wait(lock, [this] { return stopping_ || !orders_.empty(); });
            if (orders_.empty()) return;  // stopping, and nothing left to send
            const std::string order_id = std::move(orders_.front());
            orders_.pop_front();
            lock.unlock();
            send(order_id);
            lock.lock();
        }
    }

    void send(const std::string& order_id) const {
        faktory::PushOptions options;
        options.queue = settings_.receipt_queue;
        options.retry = settings_.receipt_retry;
        if (settings_.receipt_delay_seconds > 0) options.at = rfc3339_in(settings_.receipt_delay_seconds);
        options.custom_json = faktory::Json(std::map<std::string, std::string>{{"order_id", order_id}}).text();
        try {
            const auto jid = host_.push("SendReceipt", {order_id}, options);
            host_.log("order " + order_id + ": receipt job " + jid + " on " + settings_.receipt_queue);
        } catch (const std::exception& e) {
            host_.log(faktory::LogLevel::error, "order " + order_id + ": receipt not pushed: " + e.what());
        }
    }

    faktory::Host host_;
    const Settings settings_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> orders_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace

FAKTORY_PLUGIN("order-flow", "1.1.0", plugin) {
    Settings settings{
        plugin.config<std::int64_t>("max_items", 100),
        plugin.config("receipt_queue", "default"),
        plugin.config<std::optional<int>>("receipt_retry"),
        plugin.config<int>("receipt_delay_seconds", 0),
        plugin.config("greeting", "Thank you for your order"),
    };
    if (settings.max_items <= 0) throw std::invalid_argument("order-flow: max_items must be positive");
    auto* sender = plugin.own_instance(std::make_unique<ReceiptSender>(plugin.host(), std::move(settings)));
    plugin.on_shutdown([sender] { sender->stop(); });

    plugin.handle("PlaceOrder", [](faktory::Job& job) {
        auto& sender = *job.instance<ReceiptSender>();
        const auto order_id = job.arg<std::string>(0);
        const auto items = job.arg<std::int64_t>(1);
        const auto max_items = sender.settings().max_items;
        if (items <= 0 || items > max_items)
            throw std::out_of_range("order " + order_id + ": " + std::to_string(items) + " items, allowed 1.." +
                                    std::to_string(max_items));
        sender.enqueue(order_id);
        job.log("order " + order_id + " placed; its receipt is on the way");
    });
    plugin.handle("SendReceipt", [](faktory::Job& job) {
        job.log(job.instance<ReceiptSender>()->settings().greeting + " (order " + job.arg<std::string>(0) + ")");
    });
}
