// Reloading: a new generation loaded from the same file name runs the new code,
// an old generation stays mapped while a job of it runs and is unmapped when
// that job returns, and repeated reloads leave no mappings behind.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>
#include <sstream>
#include <stop_token>
#include <thread>

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/StreamChannel.h>

#include "fixture_plugins.hpp"
#include "support/eventually.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace plugins = faktory_host::plugins;
using faktory_host::testing::deploy;
using faktory_host::testing::eventually;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::job;
using faktory_host::testing::mappings_of;
using faktory_host::testing::RecordingServices;
using faktory_host::testing::TempDir;

namespace {

struct VersionedDir {
    TempDir dir;
    plugins::LoaderOptions options;

    VersionedDir() {
        deploy(fixture_plugin("v1", "versioned.so"), dir.path());
        options.dir = dir.path();
    }
    void deploy_v2() { deploy(fixture_plugin("v2", "versioned.so"), dir.path()); }
    std::shared_ptr<plugins::PluginGeneration> load() {
        plugins::LoadReport report;
        auto generation = plugins::PluginGeneration::load(options, report);
        BOOST_TEST_REQUIRE(report.errors.empty());
        return generation;
    }
};

std::string version_run_by(const plugins::PluginGeneration& generation) {
    RecordingServices services;
    generation.run(job("Version"), {}, services.services);
    const auto lines = services.log_lines();
    return lines.empty() ? "" : lines.front();
}

// Mappings of any private plugin copy in this process.
int private_copy_mappings() {
    std::ifstream maps("/proc/self/maps");
    int count = 0;
    for (std::string line; std::getline(maps, line);)
        if (line.find("faktory-host-plugins-") != std::string::npos) ++count;
    return count;
}

std::string file_text(const fs::path& file) {
    std::ifstream in(file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A plugins dir with the good plugin and the one that starts a thread in init.
struct LingeringDir {
    TempDir dir;
    plugins::LoaderOptions options;
    LingeringDir(bool join_in_shutdown, const fs::path& heartbeat) {
        deploy(fixture_plugin("good"), dir.path());
        deploy(fixture_plugin("lingering_thread"), dir.path());
        options.dir = dir.path();
        options.config_json["lingering"] = std::string("{\"join_in_shutdown\":") +
                                           (join_in_shutdown ? "true" : "false") + ",\"heartbeat_file\":\"" +
                                           heartbeat.string() + "\"}";
    }
    std::shared_ptr<plugins::PluginGeneration> load() {
        plugins::LoadReport report;
        auto generation = plugins::PluginGeneration::load(options, report);
        BOOST_TEST_REQUIRE(report.errors.empty());
        return generation;
    }
};

const fs::path& image_of(const plugins::PluginGeneration& generation, const std::string& file) {
    for (const auto& plugin : generation.plugins())
        if (plugin.file == file) return plugin.image_path;
    throw std::runtime_error(file + " is not in the generation");
}

} // namespace

BOOST_AUTO_TEST_CASE(reload_of_the_same_file_name_runs_the_new_code) {
    VersionedDir plugins_dir;
    auto v1 = plugins_dir.load();
    BOOST_TEST(version_run_by(*v1) == "v1");
    plugins_dir.deploy_v2();
    auto v2 = plugins_dir.load();
    BOOST_TEST(v2->plugins().at(0).version == "2");
    BOOST_TEST(version_run_by(*v2) == "v2");
    BOOST_TEST(version_run_by(*v1) == "v1");  // both live side by side
    BOOST_TEST(v1->plugins().at(0).image_path != v2->plugins().at(0).image_path);
}

BOOST_AUTO_TEST_CASE(old_generation_unloads_only_after_its_running_job_returns) {
    VersionedDir plugins_dir;
    auto current = plugins_dir.load();
    const fs::path v1_image = current->plugins().at(0).image_path;

    RecordingServices services;
    std::stop_source stop;
    std::thread running([job_generation = std::shared_ptr<const plugins::PluginGeneration>(current), &services,
                         token = stop.get_token()] { job_generation->run(job("Hold"), token, services.services); });
    BOOST_TEST(eventually([&] { return !services.log_lines().empty(); }));
    BOOST_TEST(services.log_lines().front() == "holding v1");

    plugins_dir.deploy_v2();
    current = plugins_dir.load();  // the switch: the host's own reference to v1 is gone
    BOOST_TEST(version_run_by(*current) == "v2");
    BOOST_TEST(mappings_of(v1_image) > 0);  // the running job still holds v1

    stop.request_stop();
    running.join();  // the job returned and dropped the last reference
    BOOST_TEST(mappings_of(v1_image) == 0);
    BOOST_TEST(mappings_of(current->plugins().at(0).image_path) > 0);
}

BOOST_AUTO_TEST_CASE(repeated_reloads_leave_no_mappings_behind) {
    VersionedDir plugins_dir;
    const int before = private_copy_mappings();
    {
        auto generation = plugins_dir.load();
        for (int i = 0; i < 20; ++i) {
            if (i == 10) plugins_dir.deploy_v2();
            generation = plugins_dir.load();
            BOOST_TEST(version_run_by(*generation) == (i < 10 ? "v1" : "v2"));
        }
        BOOST_TEST(private_copy_mappings() > before);
    }
    BOOST_TEST(private_copy_mappings() == before);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_leaves_a_thread_running_keeps_its_image_mapped_and_is_named_once) {
    std::ostringstream log;
    Poco::AutoPtr<Poco::StreamChannel> channel(new Poco::StreamChannel(log));
    Poco::Logger::get("faktory.plugins").setChannel(channel);
    TempDir scratch;
    const fs::path heartbeat = scratch / "heartbeat";
    LingeringDir plugins_dir(false, heartbeat);

    std::vector<fs::path> lingering_images;
    auto generation = plugins_dir.load();
    for (int reload = 0; reload < 3; ++reload) {
        lingering_images.push_back(image_of(*generation, "lingering_thread.so"));
        const fs::path good_image = image_of(*generation, "good.so");
        generation = plugins_dir.load();  // the last reference to the previous one goes: it unloads
        BOOST_TEST(mappings_of(good_image) == 0);  // a plugin without threads is unmapped as usual
    }
    generation.reset();
    for (const auto& image : lingering_images) BOOST_TEST(mappings_of(image) > 0, image);

    // The threads go on running the kept code: the heartbeat keeps changing, and the process lives.
    BOOST_TEST_REQUIRE(eventually([&] { return !file_text(heartbeat).empty(); }));
    const std::string seen = file_text(heartbeat);
    BOOST_TEST(eventually([&] {
        const auto now = file_text(heartbeat);
        return !now.empty() && now != seen;
    }));

    const std::string text = log.str();
    const std::string warning = "plugin \"lingering\" (lingering_thread.so) left 1 thread(s) running";
    const auto first = text.find(warning);
    BOOST_TEST(first != std::string::npos, text);
    BOOST_TEST(text.find(warning, first + 1) == std::string::npos, text);  // once, not per reload
    Poco::Logger::get("faktory.plugins").setChannel(nullptr);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_joins_its_thread_in_shutdown_is_unmapped) {
    TempDir scratch;
    LingeringDir plugins_dir(true, scratch / "heartbeat");
    auto generation = plugins_dir.load();
    const fs::path image = image_of(*generation, "lingering_thread.so");
    BOOST_TEST(mappings_of(image) > 0);
    generation.reset();
    BOOST_TEST(mappings_of(image) == 0);
}

BOOST_AUTO_TEST_CASE(an_image_that_outlives_dlclose_never_shadows_a_later_generation_of_the_same_name) {
    // v1 cannot be unloaded (-z nodelete). The next copy would get the same fd
    // number, so the same /proc/self/fd/N name, and glibc would hand back v1.
    TempDir dir;
    deploy(fixture_plugin("nodelete_v1"), dir.path(), "versioned.so");
    plugins::LoaderOptions options;
    options.dir = dir.path();
    plugins::LoadReport report;
    auto generation = plugins::PluginGeneration::load(options, report);
    BOOST_TEST_REQUIRE(report.errors.empty());
    BOOST_TEST(version_run_by(*generation) == "v1");
    generation.reset();
    for (int i = 0; i < 3; ++i) {
        deploy(fixture_plugin("v2", "versioned.so"), dir.path());
        generation = plugins::PluginGeneration::load(options, report);
        BOOST_TEST_REQUIRE(report.errors.empty());
        BOOST_TEST(version_run_by(*generation) == "v2");
        generation.reset();
    }
}
