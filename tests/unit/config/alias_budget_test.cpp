// The alias budget: "billion laughs" files refused fast, at the alias that
// crosses the budget, while ordinary anchors and aliases keep working.
#include <sys/resource.h>

#include <chrono>
#include <string>

#include <boost/test/unit_test.hpp>

#include "config/alias_budget.hpp"
#include "config/config.hpp"
#include "config_error.hpp"

using namespace faktory_host::config;
using faktory_host::config::testing::config_error;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Nine levels of ten aliases each: 10^9 scalars once expanded, 525 bytes as text
// (the file from the issue, under plugins.config where blocks are expanded to JSON).
std::string billion_laughs(int levels = 9) {
    std::string yaml = "plugins:\n  config:\n    bomb:\n      l0: &l0 \"lol\"\n";
    for (int level = 1; level <= levels; ++level) {
        const std::string previous = "*l" + std::to_string(level - 1);
        yaml += "      l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
        for (int i = 0; i < 10; ++i) yaml += (i ? "," : "") + previous;
        yaml += "]\n";
    }
    return yaml;
}

long peak_rss_kb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

BOOST_AUTO_TEST_SUITE(alias_budget)

BOOST_AUTO_TEST_CASE(a_billion_laughs_file_is_refused_fast_and_small_at_the_alias_that_crosses_the_budget) {
    const auto rss_before = peak_rss_kb();
    const auto started = std::chrono::steady_clock::now();
    for (int levels : {9, 10, 30}) {
        const auto message = config_error(billion_laughs(levels), "bomb.yaml");
        // Levels 1-3 add 1,230 nodes; each alias to level 3 adds 1,111 more, so the
        // 8th alias on level 4 (line 8, column 44) is the one past 10,000.
        BOOST_TEST(message == "bomb.yaml:8:44: aliases expand this file beyond 10000 extra nodes or 1024 KiB; "
                              "write the values out or use fewer aliases",
                   message);
    }
    const auto elapsed = std::chrono::steady_clock::now() - started;
    BOOST_TEST(elapsed < std::chrono::seconds(1));
    BOOST_TEST(peak_rss_kb() - rss_before < 20 * 1024);  // was 1.19 GB
}

BOOST_AUTO_TEST_CASE(few_large_scalars_repeated_are_bounded_by_bytes) {
    const std::string big(100 * 1024, 'x');
    std::string yaml = "plugins:\n  config:\n    p:\n      a: &a " + big + "\n      b: [";
    for (int i = 0; i < 11; ++i) yaml += (i ? "," : "") + std::string("*a");
    yaml += "]\n";
    BOOST_TEST(contains(config_error(yaml, "big.yaml"), "big.yaml:5:"), config_error(yaml, "big.yaml"));
}

BOOST_AUTO_TEST_CASE(an_alias_inside_the_node_it_names_is_refused) {
    BOOST_TEST(config_error("plugins:\n  config:\n    p: &p { self: *p }\n", "loop.yaml") ==
               "loop.yaml:3:19: an alias refers to a node that contains it");
}

BOOST_AUTO_TEST_CASE(ordinary_anchors_and_aliases_still_work) {
    const auto config = parse_config(R"(
plugins:
  config:
    resize: &common { bucket: images, retries: 3, sizes: [64, 128, 256] }
    thumbnail: *common
worker:
  queues: &queues [critical, default]
  labels: *queues
)",
                                     "ok.yaml");
    BOOST_TEST(config.plugins.config_json.at("thumbnail") == config.plugins.config_json.at("resize"));
    BOOST_TEST(config.worker.labels == (std::vector<std::string>{"critical", "default"}));
}

BOOST_AUTO_TEST_CASE(the_budget_is_exact) {
    // 10 aliases to a 1,000-scalar list (+1 node each) add 10,010 nodes; 9 add 9,009.
    std::string list = "[";
    for (int i = 0; i < 1000; ++i) list += (i ? ",x" : "x");
    list += "]";
    const auto file = [&](int aliases) {
        std::string yaml = "a: &a " + list + "\nb: [";
        for (int i = 0; i < aliases; ++i) yaml += (i ? "," : "") + std::string("*a");
        return yaml + "]\n";
    };
    BOOST_CHECK_NO_THROW(check_alias_budget(file(9), "f.yaml"));
    BOOST_CHECK_THROW(check_alias_budget(file(10), "f.yaml"), ConfigError);
    BOOST_CHECK_NO_THROW(check_alias_budget(file(10), "f.yaml", AliasBudget{20'000, 1 << 20}));
}

BOOST_AUTO_TEST_SUITE_END()
