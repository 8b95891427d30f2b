// reconcile(): which keys of a re-read configuration take effect at reload and
// which keep their running values until a restart.
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "worker/config_reload.hpp"

using namespace std::chrono_literals;
namespace config = faktory_host::config;
using faktory_host::worker::reconcile;

namespace {

bool has(const std::vector<std::string>& keys, const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

config::Config running_config() {
    config::Config c;
    c.faktory.url = "tcp://faktory:7419";
    c.faktory.password = "secret";
    c.worker.pools = {config::PoolConfig{"default", 20, config::QueueSelection{}}};
    c.plugins.dir = "/srv/plugins";
    c.plugins.config_json["image-tools"] = R"({"max_px":8192})";
    return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_reload)

BOOST_AUTO_TEST_CASE(an_unchanged_file_changes_nothing) {
    const auto running = running_config();
    const auto r = reconcile(running, running);
    BOOST_TEST(r.need_restart.empty());
    BOOST_TEST(r.changed.empty());
}

BOOST_AUTO_TEST_CASE(reloadable_keys_take_the_files_values) {
    const auto running = running_config();
    auto reread = running;
    reread.plugins.config_json["image-tools"] = R"({"max_px":4096})";
    reread.plugins.sha256_pins["image_tools.so"] = std::string(64, 'a');
    reread.plugins.check_permissions = false;
    reread.worker.job_timeout["*"] = 30s;
    reread.worker.labels = {"images"};
    reread.log.level = "debug";
    const auto r = reconcile(running, reread);
    BOOST_TEST(r.need_restart.empty());
    for (const auto* key : {"plugins.config", "plugins.pins", "plugins.check_permissions", "worker.job_timeout",
                            "worker.labels", "log.level"})
        BOOST_TEST(has(r.changed, key), key);
    BOOST_TEST(r.effective.plugins.config_json.at("image-tools") == R"({"max_px":4096})");
    BOOST_TEST(r.effective.worker.job_timeout.at("*").count() == 30000);
    BOOST_TEST(r.effective.log.level == "debug");
}

BOOST_AUTO_TEST_CASE(restart_only_keys_keep_their_running_values_and_are_named) {
    const auto running = running_config();
    auto reread = running;
    reread.faktory.url = "tcp://elsewhere:7419";
    reread.faktory.password = "other";
    reread.worker.pools.front().concurrency = 5;
    reread.worker.pools.front().queues.queues = {"critical", "default"};
    reread.worker.shutdown_timeout = 10s;
    const auto r = reconcile(running, reread);
    for (const auto* key : {"faktory.url", "faktory.password", "worker.concurrency/queues/pools", "worker.shutdown_timeout"})
        BOOST_TEST(has(r.need_restart, key), key);
    BOOST_TEST(r.changed.empty());
    BOOST_TEST(*r.effective.faktory.url == "tcp://faktory:7419");
    BOOST_TEST(r.effective.faktory.password == "secret");
    BOOST_TEST(r.effective.worker.pools.front().concurrency == 20u);
    BOOST_TEST(r.effective.worker.pools.front().queues.queues == std::vector<std::string>{"default"});
    BOOST_TEST(r.effective.worker.shutdown_timeout.count() == 25000);
}

BOOST_AUTO_TEST_SUITE_END()
