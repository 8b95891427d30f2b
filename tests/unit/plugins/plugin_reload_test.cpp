// Reloading: a new generation loaded from the same file name runs the new code,
// an old generation stays mapped while a job of it runs and is unmapped when
// that job returns, and repeated reloads leave no mappings behind.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <stop_token>
#include <thread>

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

// Mappings of any shadow copy in this process.
int shadow_mappings() {
    std::ifstream maps("/proc/self/maps");
    int count = 0;
    for (std::string line; std::getline(maps, line);)
        if (line.find("/faktory-host-plugins-") != std::string::npos) ++count;
    return count;
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
    const int before = shadow_mappings();
    {
        auto generation = plugins_dir.load();
        for (int i = 0; i < 20; ++i) {
            if (i == 10) plugins_dir.deploy_v2();
            generation = plugins_dir.load();
            BOOST_TEST(version_run_by(*generation) == (i < 10 ? "v1" : "v2"));
        }
        BOOST_TEST(shadow_mappings() > before);
    }
    BOOST_TEST(shadow_mappings() == before);
}
