// The `worker:` section: pools, strict queues vs weights, labels, timings,
// quiet behaviour and job timeouts, with the errors for each rule.
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "config/config.hpp"
#include "config_error.hpp"

using namespace faktory_host::config;
using faktory_host::config::testing::config_error;
using namespace std::chrono_literals;

namespace {
bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}
WorkerConfig worker_of(const std::string& yaml) { return parse_config(yaml, "h.yaml").worker; }
} // namespace

BOOST_AUTO_TEST_SUITE(worker_section)

BOOST_AUTO_TEST_CASE(concurrency_and_queues_make_one_strict_pool_named_default) {
    const auto worker = worker_of("worker: { concurrency: 3, queues: [critical, default, low] }");
    BOOST_TEST_REQUIRE(worker.pools.size() == 1u);
    BOOST_TEST(worker.pools[0].name == "default");
    BOOST_TEST(worker.pools[0].concurrency == 3u);
    BOOST_TEST((worker.pools[0].queues.order == QueueSelection::Order::strict));
    BOOST_TEST(worker.pools[0].queues.queues == (std::vector<std::string>{"critical", "default", "low"}));
    BOOST_TEST(worker.pools[0].queues.weights.empty());
}

BOOST_AUTO_TEST_CASE(concurrency_must_be_between_1_and_1000) {
    BOOST_TEST(worker_of("worker: { concurrency: 1 }").pools[0].concurrency == 1u);
    BOOST_TEST(worker_of("worker: { concurrency: 1000 }").pools[0].concurrency == 1000u);
    BOOST_TEST(config_error("worker:\n  concurrency: 0\n") ==
               "/etc/fh/host.yaml:2:16: worker.concurrency: expected an integer from 1 to 1000, got '0'");
    BOOST_TEST(contains(config_error("worker: { concurrency: 1001 }"), "got '1001'"));
    BOOST_TEST(contains(config_error("worker: { concurrency: -1 }"), "got '-1'"));
    BOOST_TEST(contains(config_error("worker: { concurrency: 2.5 }"), "got '2.5'"));
    BOOST_TEST(contains(config_error("worker: { concurrency: [2] }"), "got a list"));
}

BOOST_AUTO_TEST_CASE(weights_make_a_weighted_pool_in_the_order_written) {
    const auto worker = worker_of("worker: { weights: { low: 1, critical: 6, default: 3 } }");
    const auto& selection = worker.pools[0].queues;
    BOOST_TEST((selection.order == QueueSelection::Order::weighted));
    BOOST_TEST(selection.queues == (std::vector<std::string>{"low", "critical", "default"}));
    BOOST_TEST(selection.weights == (std::vector<unsigned>{1, 6, 3}));
}

BOOST_AUTO_TEST_CASE(weights_must_be_positive_integers) {
    BOOST_TEST(config_error("worker:\n  weights:\n    low: 0\n") ==
               "/etc/fh/host.yaml:3:10: worker.weights.low: expected an integer from 1 to 1000000, got '0'");
    BOOST_TEST(contains(config_error("worker: { weights: { low: 1.5 } }"), "got '1.5'"));
    BOOST_TEST(contains(config_error("worker: { weights: {} }"), "needs at least one queue"));
}

BOOST_AUTO_TEST_CASE(queues_and_weights_together_is_an_error) {
    BOOST_TEST(config_error("worker:\n  queues: [a]\n  weights: { a: 1 }\n") ==
               "/etc/fh/host.yaml:3:12: worker.weights: give either queues (strict order) or weights "
               "(weighted random), not both");
}

BOOST_AUTO_TEST_CASE(queue_names_are_checked_and_listed_once) {
    BOOST_TEST(config_error("worker:\n  queues: [ok, 'not ok']\n") ==
               "/etc/fh/host.yaml:2:16: worker.queues[1]: queue name 'not ok' may only contain letters, "
               "digits, '.', '_' and '-'");
    BOOST_TEST(contains(config_error("worker: { weights: { 'a/b': 1 } }"), "queue name 'a/b'"));
    BOOST_TEST(contains(config_error("worker: { queues: [a, b, a] }"), "queue 'a' is listed twice"));
    BOOST_TEST(contains(config_error("worker: { queues: [] }"), "needs at least one queue"));
    BOOST_TEST(worker_of("worker: { queues: [A-z_0.9] }").pools[0].queues.queues[0] == "A-z_0.9");
}

BOOST_AUTO_TEST_CASE(several_named_pools_each_get_their_own_concurrency_and_queues) {
    const auto worker = worker_of(R"(
worker:
  pools:
    - name: urgent
      concurrency: 5
      queues: [critical]
    - name: bulk
      weights: { default: 3, low: 1 }
)");
    BOOST_TEST_REQUIRE(worker.pools.size() == 2u);
    BOOST_TEST(worker.pools[0].name == "urgent");
    BOOST_TEST(worker.pools[0].concurrency == 5u);
    BOOST_TEST(worker.pools[0].queues.queues == std::vector<std::string>{"critical"});
    BOOST_TEST(worker.pools[1].name == "bulk");
    BOOST_TEST(worker.pools[1].concurrency == 20u);
    BOOST_TEST((worker.pools[1].queues.order == QueueSelection::Order::weighted));
    BOOST_TEST(worker.pools[1].queues.weights == (std::vector<unsigned>{3, 1}));
}

BOOST_AUTO_TEST_CASE(pool_rules_are_enforced) {
    BOOST_TEST(config_error("worker:\n  pools:\n    - name: a\n    - name: a\n") ==
               "/etc/fh/host.yaml:4:7: worker.pools[1]: pool name 'a' is used twice");
    BOOST_TEST(contains(config_error("worker: { pools: [ { concurrency: 2 } ] }"), "every pool needs a name"));
    BOOST_TEST(contains(config_error("worker: { pools: [] }"), "needs at least one pool"));
    BOOST_TEST(contains(config_error("worker: { pools: [ { name: a, queues: [x], weights: { y: 1 } } ] }"),
                        "not both"));
    BOOST_TEST(contains(config_error("worker: { pools: [ { name: a, concurency: 2 } ] }"),
                        "unknown key 'concurency' in worker.pools[0]; did you mean 'concurrency'?"));
}

BOOST_AUTO_TEST_CASE(pools_together_with_top_level_concurrency_queues_or_weights_is_an_error) {
    BOOST_TEST(config_error("worker:\n  concurrency: 4\n  pools: [ { name: a } ]\n") ==
               "/etc/fh/host.yaml:2:16: worker.concurrency: cannot be combined with worker.pools; give each "
               "pool its own concurrency and queues or weights");
    BOOST_TEST(contains(config_error("worker: { queues: [a], pools: [ { name: a } ] }"), "worker.queues: cannot"));
    BOOST_TEST(contains(config_error("worker: { weights: {a: 1}, pools: [ { name: a } ] }"),
                        "worker.weights: cannot"));
}

BOOST_AUTO_TEST_CASE(labels_are_a_list_of_strings) {
    BOOST_TEST(worker_of("worker: { labels: [a, b] }").labels == (std::vector<std::string>{"a", "b"}));
    BOOST_TEST(contains(config_error("worker: { labels: a }"), "worker.labels: expected a list, got a scalar"));
    BOOST_TEST(contains(config_error("worker: { labels: [''] }"), "a label must not be empty"));
}

BOOST_AUTO_TEST_CASE(heartbeat_interval_is_a_duration_from_5s_to_60s) {
    BOOST_TEST((worker_of("worker: { heartbeat_interval: 5s }").heartbeat_interval == 5s));
    BOOST_TEST((worker_of("worker: { heartbeat_interval: 1m }").heartbeat_interval == 60s));
    BOOST_TEST(config_error("worker:\n  heartbeat_interval: 4s\n") ==
               "/etc/fh/host.yaml:2:23: worker.heartbeat_interval: must be between 5s and 60s, got '4s'");
    BOOST_TEST(contains(config_error("worker: { heartbeat_interval: 61s }"), "between 5s and 60s"));
    BOOST_TEST(contains(config_error("worker: { heartbeat_interval: 15 }"),
                        "worker.heartbeat_interval: duration '15' has no unit; add one, e.g. '15s'"));
}

BOOST_AUTO_TEST_CASE(shutdown_timeout_and_on_quiet_are_read) {
    const auto worker = worker_of("worker: { shutdown_timeout: 2m, on_quiet: stay }");
    BOOST_TEST((worker.shutdown_timeout == 2min));
    BOOST_TEST((worker.on_quiet == WorkerConfig::OnQuiet::stay));
    BOOST_TEST((worker_of("worker: { on_quiet: reload }").on_quiet == WorkerConfig::OnQuiet::reload));
    BOOST_TEST(contains(config_error("worker: { on_quiet: exit }"), "expected 'reload' or 'stay', got 'exit'"));
    BOOST_TEST(contains(config_error("worker: { shutdown_timeout: soon }"), "invalid duration 'soon'"));
}

BOOST_AUTO_TEST_CASE(job_timeout_maps_jobtypes_and_star_to_durations) {
    const auto worker = worker_of("worker: { job_timeout: { '*': 30m, Resize: 500ms } }");
    BOOST_TEST((worker.job_timeout.at("*") == 30min));
    BOOST_TEST((worker.job_timeout.at("Resize") == 500ms));
    BOOST_TEST(config_error("worker:\n  job_timeout:\n    Resize: 0s\n") ==
               "/etc/fh/host.yaml:3:13: worker.job_timeout.Resize: must be longer than 0");
    BOOST_TEST(contains(config_error("worker: { job_timeout: [1s] }"), "expected a mapping"));
}

BOOST_AUTO_TEST_CASE(shutdown_timeout_is_at_most_one_hour) {
    BOOST_TEST((worker_of("worker: { shutdown_timeout: 1h }").shutdown_timeout == 1h));
    BOOST_TEST((worker_of("worker: { shutdown_timeout: 0s }").shutdown_timeout == 0s));
    // 2600000h was accepted and overflowed a clock's nanoseconds at terminate.
    BOOST_TEST(config_error("worker:\n  shutdown_timeout: 2600000h\n") ==
               "/etc/fh/host.yaml:2:21: worker.shutdown_timeout: must be at most 1h, got '2600000h'");
    BOOST_TEST(contains(config_error("worker: { shutdown_timeout: 3601s }"), "must be at most 1h, got '3601s'"));
}

BOOST_AUTO_TEST_CASE(job_timeout_is_at_most_24_hours) {
    BOOST_TEST((worker_of("worker: { job_timeout: { A: 24h } }").job_timeout.at("A") == 24h));
    BOOST_TEST(config_error("worker:\n  job_timeout:\n    '*': 2600000h\n") ==
               "/etc/fh/host.yaml:3:10: worker.job_timeout.*: must be at most 24h, got '2600000h'");
    BOOST_TEST(contains(config_error("worker: { job_timeout: { A: 1441m } }"), "must be at most 24h, got '1441m'"));
}

BOOST_AUTO_TEST_CASE(no_digit_string_overflows_a_duration) {
    const std::string digits(400, '9');
    for (const char* unit : {"ms", "s", "m", "h"}) {
        const auto message = config_error("worker: { shutdown_timeout: " + digits + unit + " }");
        BOOST_TEST(contains(message, "is too large"), message);
    }
    // The largest value a Duration holds in each unit, and one past it.
    BOOST_TEST(contains(config_error("worker: { job_timeout: { A: 9223372036854775807ms } }"), "at most 24h"));
    BOOST_TEST(contains(config_error("worker: { job_timeout: { A: 9223372036854775808ms } }"), "too large"));
    BOOST_TEST(contains(config_error("worker: { job_timeout: { A: 2562047788015h } }"), "at most 24h"));
    BOOST_TEST(contains(config_error("worker: { job_timeout: { A: 2562047788016h } }"), "too large"));
}

BOOST_AUTO_TEST_CASE(quoted_numbers_are_refused_where_a_number_belongs) {
    BOOST_TEST(config_error("worker:\n  concurrency: \"5\"\n") ==
               "/etc/fh/host.yaml:2:16: worker.concurrency: expected an integer from 1 to 1000 written without "
               "quotes, got the string \"5\"");
    BOOST_TEST(contains(config_error("worker: { concurrency: '5' }"), "without quotes"));
    BOOST_TEST(contains(config_error("worker: { weights: { low: '2' } }"), "worker.weights.low: expected an integer"));
    BOOST_TEST(contains(config_error("worker: { pools: [ { name: a, concurrency: \"3\" } ] }"), "without quotes"));
    // A duration is text with a unit, so quoting it changes nothing.
    BOOST_TEST((worker_of("worker: { shutdown_timeout: '30s' }").shutdown_timeout == 30s));
    // Queue names and labels are strings however they are written.
    BOOST_TEST(worker_of("worker: { queues: [2024] }").pools[0].queues.queues[0] == "2024");
}

BOOST_AUTO_TEST_CASE(state_dir_defaults_to_state_next_to_the_file_or_systemds_state_directory) {
    ::unsetenv("STATE_DIRECTORY");
    BOOST_TEST(parse_config("", "/etc/fh/host.yaml").worker.state_dir == "/etc/fh/state");
    BOOST_TEST(parse_config("worker: { state_dir: run/state }", "/etc/fh/host.yaml").worker.state_dir ==
               "/etc/fh/run/state");
    BOOST_TEST(parse_config("worker: { state_dir: /var/lib/fh }", "/etc/fh/host.yaml").worker.state_dir == "/var/lib/fh");
    BOOST_TEST(contains(config_error("worker: { state_dir: '' }"), "worker.state_dir: expected a path"));
    // StateDirectory= in the systemd unit: used when the file does not say, never over it.
    ::setenv("STATE_DIRECTORY", "/var/lib/faktory-host:/var/lib/other", 1);
    BOOST_TEST(parse_config("", "/etc/fh/host.yaml").worker.state_dir == "/var/lib/faktory-host");
    BOOST_TEST(parse_config("worker: { state_dir: mine }", "/etc/fh/host.yaml").worker.state_dir == "/etc/fh/mine");
    ::unsetenv("STATE_DIRECTORY");
}

BOOST_AUTO_TEST_SUITE_END()
