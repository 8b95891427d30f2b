// The order_flow example in the real host against the dev server: PlaceOrder
// hands the order to the plugin's own thread, which pushes SendReceipt through
// the SDK 1.1 host handle with options (queue, retry, at, custom), and the timing
// middleware named in plugins.middleware wraps it. Shows both are wired into
// the worker (producer connection, config), not only into the loader's tests.
#include <boost/test/unit_test.hpp>

#include <csignal>

#include "harness/host_rig.hpp"
#include "support/eventually.hpp"

using namespace std::chrono_literals;
using faktory_host::testing::eventually;
using faktory_host::testing::HostRig;

namespace {

// The scheduled job of `jobtype`, or null.
Poco::JSON::Object::Ptr scheduled(HostRig& rig, const std::string& jobtype) {
    const auto jobs = rig.stats_array("scheduled");
    for (std::size_t i = 0; jobs && i < jobs->size(); ++i) {
        auto job = jobs->getObject(static_cast<unsigned>(i));
        if (job && job->optValue<std::string>("jobtype", "") == jobtype) return job;
    }
    return nullptr;
}

} // namespace

BOOST_AUTO_TEST_CASE(order_flow_pushes_the_receipt_with_options_from_its_own_thread) {
    HostRig rig;
    rig.install_plugin(ORDER_FLOW_PLUGIN, "order_flow.so");
    rig.install_plugin(TIMING_PLUGIN, "timing.so");
    rig.write_file("faktory-host.yaml",
                   "faktory:\n  url: " + rig.url() + "\n"
                   "worker:\n  concurrency: 2\n  queues: [default]\n  heartbeat_interval: 5s\n  shutdown_timeout: 2s\n"
                   "plugins:\n  dir: " + rig.plugins_dir().string() + "\n"
                   "  middleware: [timing/timing]\n"
                   "  config:\n    order-flow: { max_items: 5, receipt_queue: receipts, receipt_retry: 3, "
                   "receipt_delay_seconds: 3600 }\n"
                   "log:\n  level: debug\n");
    auto& host = rig.start_host();
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());

    rig.push("PlaceOrder", R"(["A-17", 2])");
    BOOST_TEST_REQUIRE(eventually([&] { return scheduled(rig, "SendReceipt") != nullptr; }), rig.diagnostics());
    const auto receipt = scheduled(rig, "SendReceipt");
    BOOST_TEST(receipt->getValue<std::string>("queue") == "receipts");
    BOOST_TEST(receipt->getValue<int>("retry") == 3);
    BOOST_TEST(receipt->getObject("custom")->getValue<std::string>("order_id") == "A-17");
    BOOST_TEST(receipt->getArray("args")->getElement<std::string>(0) == "A-17");
    BOOST_TEST(!receipt->getValue<std::string>("at").empty());
    BOOST_TEST(eventually([&] { return rig.processed() == 1; }), rig.diagnostics());
    BOOST_TEST(eventually([&] { return host.output().find("plugin order-flow: order A-17: receipt job") != std::string::npos; }),
               host.output());

    // The timing middleware, named in plugins.middleware, wrapped the job.
    BOOST_TEST(eventually([&] { return host.output().find("PlaceOrder took ") != std::string::npos; }), host.output());

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(20s) == 0, host.output());
}

BOOST_AUTO_TEST_CASE(host_handle_pushes_from_init_a_thread_and_a_bulk_push_reach_the_server) {
    HostRig rig;
    rig.install_plugin(STATE_PLUGIN, "state_1_1.so");
    rig.write_file("faktory-host.yaml",
                   "faktory:\n  url: " + rig.url() + "\n"
                   "worker:\n  concurrency: 1\n  queues: [work]\n  heartbeat_interval: 5s\n  shutdown_timeout: 2s\n"
                   "plugins:\n  dir: " + rig.plugins_dir().string() + "\n"
                   "  config:\n    state-1-1: { trace_file: " + HostRig::quoted(rig.path("trace")) + " }\n"
                   "log:\n  level: debug\n  format: json\n");
    auto& host = rig.start_host();
    BOOST_REQUIRE_MESSAGE(!rig.wait_for_worker().empty(), rig.diagnostics());
    // init pushed FromInit; the plugin's thread pushed FromThread (scheduled: it has `at`).
    BOOST_TEST(eventually([&] { return rig.queue_size("default") == 1; }), rig.diagnostics());
    BOOST_TEST(eventually([&] { return scheduled(rig, "FromThread") != nullptr; }), rig.diagnostics());

    rig.push("Bulk", "[]", "work");  // pushes A and Refused to default, C to q3, in one PUSHB
    BOOST_TEST(eventually([&] { return rig.processed() == 1; }), rig.diagnostics());
    BOOST_TEST(rig.queue_size("default") == 3);
    BOOST_TEST(rig.queue_size("q3") == 1);
    // The plugin's own lines, with its name, and a structured line's fields in JSON.
    rig.push("LogFields", "[]", "work");
    BOOST_TEST(eventually([&] { return host.output().find(R"("fields":{"amount":"12.50","currency":"EUR"})") !=
                                       std::string::npos; }),
               host.output());
    BOOST_TEST(host.output().find("plugin state-1-1: init pushing") != std::string::npos, host.output());

    host.send(SIGTERM);
    BOOST_TEST(host.wait_for_exit(20s) == 0, host.output());
}
