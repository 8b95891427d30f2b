// Strict and weighted-random queue order for FETCH.
#include "worker/queue_picker.hpp"

#include <numeric>
#include <utility>

namespace faktory_host::worker {

QueuePicker::QueuePicker(config::QueueSelection selection, std::uint64_t seed)
    : selection_(std::move(selection)), random_(seed) {
    selection_.weights.resize(selection_.queues.size(), 1);
    for (auto& w : selection_.weights)
        if (w == 0) w = 1;
}

std::vector<std::string> QueuePicker::next() {
    if (selection_.order == config::QueueSelection::Order::strict || selection_.queues.size() < 2)
        return selection_.queues;

    // Draw without replacement, each remaining queue with probability weight / remaining total.
    std::vector<std::size_t> remaining(selection_.queues.size());
    std::iota(remaining.begin(), remaining.end(), std::size_t{0});
    std::vector<std::string> order;
    order.reserve(remaining.size());
    while (!remaining.empty()) {
        std::uint64_t total = 0;
        for (auto i : remaining) total += selection_.weights[i];
        std::uniform_int_distribution<std::uint64_t> draw(0, total - 1);
        auto ticket = draw(random_);
        std::size_t pick = 0;
        while (ticket >= selection_.weights[remaining[pick]]) {
            ticket -= selection_.weights[remaining[pick]];
            ++pick;
        }
        order.push_back(selection_.queues[remaining[pick]]);
        remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(pick));
    }
    return order;
}

} // namespace faktory_host::worker
