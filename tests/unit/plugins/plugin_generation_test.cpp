// PluginGeneration::load: what loads, what is refused with which message, and
// that the good plugins keep serving next to every bad one.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <stdexcept>

#include "fixture_plugins.hpp"
#include "fixtures/plugins/corrupt_elf.hpp"
#include "plugins/file_safety.hpp"
#include "plugins/private_copy.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace plugins = faktory_host::plugins;
using faktory_host::testing::deploy;
using faktory_host::testing::fixture_plugin;
using faktory_host::testing::job;
using faktory_host::testing::mappings_of;
using faktory_host::testing::RecordingServices;
using faktory_host::testing::TempDir;

namespace {

struct PluginsDir {
    TempDir dir;
    plugins::LoaderOptions options;
    plugins::LoadReport report;

    explicit PluginsDir(std::initializer_list<const char*> fixture_cases) {
        for (const char* fixture_case : fixture_cases) deploy(fixture_plugin(fixture_case), dir.path());
        options.dir = dir.path();
    }
    std::shared_ptr<plugins::PluginGeneration> load() {
        report = {};
        return plugins::PluginGeneration::load(options, report);
    }
    // The one load error, which must name `file`.
    std::string only_error_for(const std::string& file) const {
        BOOST_TEST_REQUIRE(report.errors.size() == 1u);
        BOOST_TEST(report.errors[0].file == file);
        BOOST_TEST(report.errors[0].message.find((dir.path() / file).string()) != std::string::npos,
                   report.errors[0].message);
        return report.errors[0].message;
    }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string sha256_of(const fs::path& file) { return plugins::sha256_hex(plugins::read_whole_plugin_file(file)); }

// A good plugin loaded next to a bad one still serves its jobs.
void good_plugin_serves(const plugins::PluginGeneration& generation) {
    RecordingServices services;
    BOOST_TEST(generation.handles("Succeed"));
    BOOST_TEST((generation.run(job("Succeed"), {}, services.services).status == plugins::JobOutcome::Status::ack));
}

} // namespace

BOOST_AUTO_TEST_CASE(good_plugin_loads_with_its_name_version_and_jobtypes) {
    PluginsDir plugins_dir({"good"});
    auto generation = plugins_dir.load();
    BOOST_TEST(plugins_dir.report.errors.empty());
    BOOST_TEST_REQUIRE(plugins_dir.report.plugins.size() == 1u);
    const auto& loaded = plugins_dir.report.plugins[0];
    BOOST_TEST(loaded.file == "good.so");
    BOOST_TEST(loaded.name == "good");
    BOOST_TEST(loaded.version == "2.3.4");
    BOOST_TEST(generation->plugins().size() == 1u);
    BOOST_TEST(generation->handles("Describe"));
    BOOST_TEST(!generation->handles("Nope"));
    const auto jobtypes = generation->jobtypes();
    BOOST_TEST(std::is_sorted(jobtypes.begin(), jobtypes.end()));
    BOOST_TEST(jobtypes.size() == loaded.jobtypes.size());
}

BOOST_AUTO_TEST_CASE(text_file_named_so_is_refused_and_the_good_plugin_serves) {
    PluginsDir plugins_dir({"good", "not_elf"});
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("not_elf.so");
    BOOST_TEST(contains(message, "not an ELF file"), message);
    BOOST_TEST(!contains(message, "faktory-host-plugins-"), message);  // names the user's file, not the copy
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(shared_object_without_the_query_export_is_refused) {
    PluginsDir plugins_dir({"good", "missing_entry"});
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("missing_entry.so");
    BOOST_TEST(contains(message, "faktory_plugin_query"), message);
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(wrong_abi_major_is_refused_before_init_runs) {
    PluginsDir plugins_dir({"good", "wrong_abi"});
    auto generation = plugins_dir.load();  // the fixture's init aborts: reaching here proves it never ran
    const auto message = plugins_dir.only_error_for("wrong_abi.so");
    BOOST_TEST(contains(message, "ABI 99.0"), message);
    BOOST_TEST(contains(message, "speaks ABI 1"), message);
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(unresolved_symbol_is_reported_at_load_naming_the_symbol) {
    PluginsDir plugins_dir({"good", "unresolved"});
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("unresolved.so");
    BOOST_TEST(contains(message, "fixture_function_nobody_defines"), message);
    BOOST_TEST(contains(message, "undefined symbol"), message);
    BOOST_TEST(!generation->handles("CallMissing"));
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(init_returning_an_error_is_reported_with_the_plugins_text) {
    PluginsDir plugins_dir({"good", "init_error"});
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("init_error.so");
    BOOST_TEST(contains(message, "init failed: database_url is not configured"), message);
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(init_throwing_becomes_an_init_error_with_type_and_text) {
    PluginsDir plugins_dir({"good", "init_throws"});
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("init_throws.so");
    BOOST_TEST(contains(message, "std::runtime_error: init exploded on purpose"), message);
    BOOST_TEST(!generation->handles("NeverServed"));
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(empty_jobtype_is_refused) {
    PluginsDir plugins_dir({"good", "empty_jobtype"});
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("empty_jobtype.so");
    BOOST_TEST(contains(message, "empty jobtype"), message);
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(duplicate_jobtype_refuses_the_later_plugin_and_names_both) {
    PluginsDir plugins_dir({"good", "duplicate_a", "duplicate_b"});
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("duplicate_b.so");
    BOOST_TEST(contains(message, "\"Shared\""), message);
    BOOST_TEST(contains(message, "duplicate-a"), message);
    BOOST_TEST(contains(message, "duplicate_a.so"), message);
    BOOST_TEST(contains(message, "duplicate-b"), message);
    RecordingServices services;
    BOOST_TEST((generation->run(job("Shared"), {}, services.services).status == plugins::JobOutcome::Status::ack));
    BOOST_TEST(services.log_lines() == std::vector<std::string>{"duplicate-a"});
    BOOST_TEST(generation->handles("Only-duplicate-a"));
    BOOST_TEST(!generation->handles("Only-duplicate-b"));  // none of the refused plugin's jobtypes leak in
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(every_bad_plugin_gets_its_own_message_while_the_good_one_serves) {
    PluginsDir plugins_dir({"good", "not_elf", "missing_entry", "wrong_abi", "unresolved", "init_error",
                            "init_throws", "empty_jobtype", "duplicate_a", "duplicate_b"});
    auto generation = plugins_dir.load();
    BOOST_TEST(plugins_dir.report.errors.size() == 8u);
    for (const auto& error : plugins_dir.report.errors)
        BOOST_TEST(contains(error.message, (plugins_dir.dir.path() / error.file).string()), error.message);
    BOOST_TEST(plugins_dir.report.plugins.size() == 2u);  // good, duplicate_a
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(plugins_load_in_file_name_order_and_others_are_ignored) {
    PluginsDir plugins_dir({"good", "duplicate_b", "duplicate_a"});
    std::ofstream((plugins_dir.dir / "README.txt").string()) << "not a plugin";
    fs::create_directory(plugins_dir.dir / "nested");
    deploy(fixture_plugin("init_error"), plugins_dir.dir / "nested");  // not recursive
    auto generation = plugins_dir.load();
    BOOST_TEST_REQUIRE(plugins_dir.report.plugins.size() == 2u);
    BOOST_TEST(plugins_dir.report.plugins[0].file == "duplicate_a.so");  // so "a" wins the shared jobtype
    BOOST_TEST(plugins_dir.report.plugins[1].file == "good.so");
    BOOST_TEST(plugins_dir.only_error_for("duplicate_b.so").size() > 0u);
}

BOOST_AUTO_TEST_CASE(plugin_receives_its_own_config_block_by_name) {
    PluginsDir plugins_dir({"good"});
    plugins_dir.options.config_json["good"] = R"({"colour":"blue","limit":3})";
    plugins_dir.options.config_json["other"] = R"({"secret":"not for good"})";
    auto generation = plugins_dir.load();
    RecordingServices services;
    generation->run(job("Config"), {}, services.services);
    BOOST_TEST(services.log_lines() == std::vector<std::string>{R"({"colour":"blue","limit":3})"});
}

BOOST_AUTO_TEST_CASE(plugin_without_config_gets_an_empty_object) {
    PluginsDir plugins_dir({"good"});
    auto generation = plugins_dir.load();
    RecordingServices services;
    generation->run(job("Config"), {}, services.services);
    BOOST_TEST(services.log_lines() == std::vector<std::string>{"{}"});
}

BOOST_AUTO_TEST_CASE(shutdown_runs_when_the_generation_goes_and_the_image_is_unmapped) {
    PluginsDir plugins_dir({"good"});
    const fs::path marker = plugins_dir.dir / "shutdown-marker";
    plugins_dir.options.config_json["good"] = R"({"shutdown_marker":")" + marker.string() + R"("})";
    auto generation = plugins_dir.load();
    const fs::path image = generation->plugins().at(0).image_path;
    BOOST_TEST(image.string().rfind("/memfd:", 0) == 0u, image);  // the private copy lives in memory ...
    BOOST_TEST(mappings_of(image) > 0);                             // ... mapped while the generation lives
    BOOST_TEST(!fs::exists(marker));
    generation.reset();
    BOOST_TEST(fs::exists(marker));
    BOOST_TEST(mappings_of(image) == 0);
}

BOOST_AUTO_TEST_CASE(generation_numbers_increase) {
    PluginsDir plugins_dir({"good"});
    auto first = plugins_dir.load();
    auto second = plugins_dir.load();
    BOOST_TEST(second->number() > first->number());
}

BOOST_AUTO_TEST_CASE(a_generation_discarded_unnumbered_uses_up_no_number) {
    PluginsDir plugins_dir({"good"});
    const auto serving = plugins_dir.load()->number();
    deploy(fixture_plugin("init_error"), plugins_dir.dir.path());
    plugins_dir.load();  // a failed reload: the host drops it without naming it
    BOOST_TEST(plugins_dir.report.errors.size() == 1u);
    fs::remove(plugins_dir.dir / "init_error.so");
    BOOST_TEST(plugins_dir.load()->number() == serving + 1);
}

BOOST_AUTO_TEST_CASE(each_kind_of_corrupt_elf_is_refused_naming_the_file_and_the_good_plugin_serves) {
    for (const auto damage : faktory_host::testing::all_elf_damage) {
        BOOST_TEST_CONTEXT(faktory_host::testing::damage_name(damage)) {
            PluginsDir plugins_dir({"good"});
            faktory_host::testing::write_damaged_plugin(fixture_plugin("good"), damage, plugins_dir.dir / "broken.so");
            auto generation = plugins_dir.load();
            const auto message = plugins_dir.only_error_for("broken.so");
            BOOST_TEST(contains(message, faktory_host::testing::damage_words(damage)), message);
            BOOST_TEST(contains(message, "refused before loading"), message);
            good_plugin_serves(*generation);
        }
    }
}

BOOST_AUTO_TEST_CASE(hidden_files_and_names_not_ending_in_so_are_ignored) {
    PluginsDir plugins_dir({"good"});
    // Leftovers of deploys: a hidden temporary (the documented way), backups, versioned names.
    deploy(fixture_plugin("init_error"), plugins_dir.dir.path(), ".good.so.tmp");
    deploy(fixture_plugin("init_error"), plugins_dir.dir.path(), ".hidden.so");
    deploy(fixture_plugin("init_error"), plugins_dir.dir.path(), "good.so.bak");
    deploy(fixture_plugin("init_error"), plugins_dir.dir.path(), "good.so.1");
    faktory_host::testing::write_damaged_plugin(fixture_plugin("good"), faktory_host::testing::ElfDamage::truncated,
                                                plugins_dir.dir / ".half-written.so");
    auto generation = plugins_dir.load();
    BOOST_TEST(plugins_dir.report.errors.empty());
    BOOST_TEST_REQUIRE(plugins_dir.report.plugins.size() == 1u);
    BOOST_TEST(plugins_dir.report.plugins[0].file == "good.so");
}

BOOST_AUTO_TEST_CASE(two_files_declaring_one_plugin_name_are_both_refused_naming_each_other) {
    // A leftover copy such as good.new.so next to good.so: which one is meant is anyone's guess.
    PluginsDir plugins_dir({"good", "duplicate_a"});
    deploy(fixture_plugin("good"), plugins_dir.dir.path(), "good.new.so");
    auto generation = plugins_dir.load();
    BOOST_TEST_REQUIRE(plugins_dir.report.errors.size() == 2u);
    std::map<std::string, std::string> errors;
    for (const auto& error : plugins_dir.report.errors) errors[error.file] = error.message;
    BOOST_TEST(contains(errors["good.so"], "good.new.so"), errors["good.so"]);
    BOOST_TEST(contains(errors["good.so"], "neither is loaded"), errors["good.so"]);
    BOOST_TEST(contains(errors["good.so"], ".name.so.tmp"), errors["good.so"]);
    BOOST_TEST(contains(errors["good.new.so"], "good.so"), errors["good.new.so"]);
    BOOST_TEST(contains(errors["good.new.so"], "neither is loaded"), errors["good.new.so"]);
    BOOST_TEST_REQUIRE(plugins_dir.report.plugins.size() == 1u);
    BOOST_TEST(plugins_dir.report.plugins[0].file == "duplicate_a.so");
    BOOST_TEST(generation->plugins().size() == 1u);
    BOOST_TEST(!generation->handles("Succeed"));
    BOOST_TEST(generation->handles("Shared"));

    // A third file of the same name is refused too, rather than winning by elimination.
    deploy(fixture_plugin("good"), plugins_dir.dir.path(), "good.old.so");
    generation = plugins_dir.load();
    BOOST_TEST_REQUIRE(plugins_dir.report.errors.size() == 3u);
    BOOST_TEST(!generation->handles("Succeed"));
    for (const auto& error : plugins_dir.report.errors)
        if (error.file == "good.so") BOOST_TEST(contains(error.message, "more than one file"), error.message);
}

BOOST_AUTO_TEST_CASE(missing_directory_throws_naming_it) {
    TempDir dir;
    plugins::LoaderOptions options;
    options.dir = dir / "absent";
    plugins::LoadReport report;
    try {
        plugins::PluginGeneration::load(options, report);
        BOOST_FAIL("load of a missing directory did not throw");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(contains(e.what(), (dir / "absent").string()), e.what());
    }
}

BOOST_AUTO_TEST_CASE(group_writable_directory_is_refused_with_the_fix_unless_checks_are_off) {
    PluginsDir plugins_dir({"good"});
    fs::permissions(plugins_dir.dir.path(), fs::perms::group_write, fs::perm_options::add);
    try {
        plugins_dir.load();
        BOOST_FAIL("a group-writable plugins directory was accepted");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(contains(e.what(), "writable"), e.what());
        BOOST_TEST(contains(e.what(), "chmod go-w " + plugins_dir.dir.path().string()), e.what());
    }
    plugins_dir.options.check_permissions = false;
    auto generation = plugins_dir.load();
    BOOST_TEST(generation->handles("Succeed"));
}

BOOST_AUTO_TEST_CASE(world_writable_plugin_file_is_refused_and_the_others_load) {
    PluginsDir plugins_dir({"good", "duplicate_a"});
    fs::permissions(plugins_dir.dir / "duplicate_a.so", fs::perms::others_write, fs::perm_options::add);
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("duplicate_a.so");
    BOOST_TEST(contains(message, "writable by others"), message);
    BOOST_TEST(contains(message, "chmod go-w"), message);
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(plugin_file_owned_by_another_user_is_refused) {
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("skipped: only root can give a file to another user");
        return;
    }
    PluginsDir plugins_dir({"good", "duplicate_a"});
    BOOST_TEST_REQUIRE(::chown((plugins_dir.dir / "duplicate_a.so").c_str(), 65534, 65534) == 0);
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("duplicate_a.so");
    BOOST_TEST(contains(message, "owned by uid 65534"), message);
    BOOST_TEST(contains(message, "chown"), message);
    good_plugin_serves(*generation);
}

BOOST_AUTO_TEST_CASE(matching_sha256_pin_loads_and_a_mismatch_refuses_that_plugin) {
    PluginsDir plugins_dir({"good", "duplicate_a"});
    const std::string digest = sha256_of(plugins_dir.dir / "good.so");
    plugins_dir.options.sha256_pins["good.so"] = digest;
    plugins_dir.options.sha256_pins["duplicate_a.so"] = std::string(64, '0');
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("duplicate_a.so");
    BOOST_TEST(contains(message, "SHA-256"), message);
    BOOST_TEST(contains(message, sha256_of(plugins_dir.dir / "duplicate_a.so")), message);
    BOOST_TEST(generation->handles("Succeed"));
    BOOST_TEST(!generation->handles("Only-duplicate-a"));
}

BOOST_AUTO_TEST_CASE(symlinks_into_a_world_writable_folder_are_refused_by_the_loader) {
    TempDir root;
    const fs::path open = root / "open";
    fs::create_directory(open);
    fs::permissions(open, fs::perms::all);  // 0777, not sticky
    fs::create_directory(open / "plugins");
    deploy(fixture_plugin("duplicate_a"), open / "plugins");

    // A .so in a safe plugins folder that links into the open folder: that plugin is refused.
    PluginsDir plugins_dir({"good"});
    fs::create_symlink(open / "plugins" / "duplicate_a.so", plugins_dir.dir / "linked.so");
    auto generation = plugins_dir.load();
    const auto message = plugins_dir.only_error_for("linked.so");
    BOOST_TEST(contains(message, open.string() + ", a folder on the way to"), message);
    good_plugin_serves(*generation);

    // A plugins folder that is itself a link into the open folder: the folder is refused.
    fs::create_directory_symlink(open / "plugins", root / "plugins");
    plugins_dir.options.dir = root / "plugins";
    try {
        plugins_dir.load();
        BOOST_FAIL("a plugins folder linked into a world-writable folder was accepted");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(contains(e.what(), open.string() + ", a folder on the way to"), e.what());
    }
}

BOOST_AUTO_TEST_CASE(a_symlink_loop_named_so_is_reported_and_the_others_load) {
    PluginsDir plugins_dir({"good"});
    fs::create_symlink("loop-b.so", plugins_dir.dir / "loop-a.so");
    fs::create_symlink("loop-a.so", plugins_dir.dir / "loop-b.so");
    auto generation = plugins_dir.load();
    BOOST_TEST(plugins_dir.report.errors.size() == 2u);
    for (const auto& error : plugins_dir.report.errors)
        BOOST_TEST(contains(error.message, "not a regular file (Too many levels of symbolic links)"), error.message);
    good_plugin_serves(*generation);
}
