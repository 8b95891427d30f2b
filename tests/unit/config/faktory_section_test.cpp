// The `faktory:` section: URL, password / password_file, TLS, and the rule
// that no error message ever contains the password.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "config_error.hpp"
#include "support/temp_dir.hpp"

using namespace faktory_host::config;
using faktory_host::config::testing::config_error;
using faktory_host::testing::TempDir;

namespace {
bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}
// A password file as it should be: readable by its owner only.
constexpr auto owner_only = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
void write_secret(const std::filesystem::path& path, const std::string& text,
                  std::filesystem::perms perms = owner_only) {
    std::ofstream(path) << text;
    std::filesystem::permissions(path, perms);
}
} // namespace

BOOST_AUTO_TEST_SUITE(faktory_section)

BOOST_AUTO_TEST_CASE(the_url_is_optional_and_kept_as_written) {
    BOOST_TEST(!parse_config("faktory: {}", "h.yaml").faktory.url.has_value());
    BOOST_TEST(parse_config("faktory: { url: 'tcp://:p@h:7419' }", "h.yaml").faktory.url.value() ==
               "tcp://:p@h:7419");
}

BOOST_AUTO_TEST_CASE(a_url_with_another_scheme_is_an_error_that_does_not_echo_it) {
    const auto message = config_error("faktory:\n  url: http://:hunter2@h\n");
    BOOST_TEST(message == "/etc/fh/host.yaml:2:8: faktory.url: must start with tcp:// or tcp+tls://");
}

BOOST_AUTO_TEST_CASE(password_file_is_read_trimmed_and_resolved_against_the_config_folder) {
    TempDir dir;
    write_secret(dir / "password", "  s3cret\n");
    const auto config = parse_config("faktory: { password_file: password }", dir / "host.yaml");
    BOOST_TEST(config.faktory.password == "s3cret");
}

BOOST_AUTO_TEST_CASE(an_unreadable_password_file_is_an_error_naming_it) {
    TempDir dir;
    const auto message = config_error("faktory:\n  password_file: missing.txt\n", (dir / "host.yaml").string());
    BOOST_TEST(contains(message, (dir / "host.yaml").string() + ":2:18: faktory.password_file: cannot read "
                                 "password file '" + (dir / "missing.txt").string() + "'"),
               message);
}

BOOST_AUTO_TEST_CASE(an_empty_password_file_is_an_error) {
    TempDir dir;
    write_secret(dir / "password", "\n");
    const auto message = config_error("faktory: { password_file: password }", (dir / "host.yaml").string());
    BOOST_TEST(contains(message, "is empty"), message);
}

BOOST_AUTO_TEST_CASE(a_password_file_readable_by_group_or_others_is_refused_saying_which) {
    using std::filesystem::perms;
    TempDir dir;
    const auto host = (dir / "host.yaml").string();
    const auto file = (dir / "password").string();
    const std::string yaml = "faktory:\n  password_file: password\n";
    write_secret(dir / "password", "hunter2\n", perms::owner_read | perms::group_read | perms::others_read);
    BOOST_TEST(config_error(yaml, host) == host + ":2:18: faktory.password_file: password file '" + file +
                                               "' is readable by group and others (mode 0444); run chmod 600 on it");
    write_secret(dir / "password", "hunter2\n", perms::owner_read | perms::owner_write | perms::group_read);
    BOOST_TEST(contains(config_error(yaml, host), "is readable by group (mode 0640)"));
    write_secret(dir / "password", "hunter2\n", perms::owner_read | perms::others_read);
    BOOST_TEST(contains(config_error(yaml, host), "is readable by others (mode 0404)"));
    write_secret(dir / "password", "hunter2\n", perms::owner_read);
    BOOST_TEST(parse_config(yaml, host).faktory.password == "hunter2");
}

BOOST_AUTO_TEST_CASE(a_password_file_that_is_a_folder_or_not_a_regular_file_is_refused_clearly) {
    TempDir dir;
    const auto host = (dir / "host.yaml").string();
    std::filesystem::create_directory(dir / "secrets");
    BOOST_TEST(config_error("faktory:\n  password_file: secrets\n", host) ==
               host + ":2:18: faktory.password_file: password file '" + (dir / "secrets").string() +
                   "' is a folder; name the file inside it");
    BOOST_TEST(contains(config_error("faktory: { password_file: /dev/null }", host),
                        "password file '/dev/null' is not a regular file"));
    BOOST_TEST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);  // open must not block on it
    BOOST_TEST(contains(config_error("faktory: { password_file: fifo }", host), "is not a regular file"));
}

BOOST_AUTO_TEST_CASE(a_huge_password_file_is_refused) {
    TempDir dir;
    write_secret(dir / "password", std::string(65 * 1024, 'x'));
    BOOST_TEST(contains(config_error("faktory: { password_file: password }", (dir / "host.yaml").string()),
                        "is larger than 64 KiB"));
}

BOOST_AUTO_TEST_CASE(password_and_password_file_together_is_an_error) {
    const auto message = config_error("faktory:\n  password: hunter2\n  password_file: /etc/pw\n");
    BOOST_TEST(message == "/etc/fh/host.yaml:3:18: faktory.password_file: give either faktory.password or "
                          "faktory.password_file, not both");
}

BOOST_AUTO_TEST_CASE(no_error_message_ever_contains_the_password) {
    const std::string secret = "hunter2-Xy9";
    const std::vector<std::string> broken = {
        "faktory:\n  password: " + secret + "\n  password_file: /etc/pw\n",
        "faktory:\n  password: [" + secret + "]\n",
        "faktory:\n  password: {" + secret + ": 1}\n",
        "faktory:\n  password: " + secret + "\n  pasword: x\n",
        "faktory:\n  url: tcp://:" + secret + "@host:7419\n  password: " + secret + "\n  tls: { verify: maybe }\n",
        "faktory:\n  url: redis://:" + secret + "@host\n",
        "faktory:\n  url: [tcp://:" + secret + "@host]\n",
        "faktory:\n  password: \"" + secret + "\\q\"\n",
        "faktory:\n  password: " + secret + ": x\n",
        "faktory: { password: " + secret + " }\nworker: { concurrency: 0 }\n",
    };
    for (const auto& yaml : broken) {
        const auto message = config_error(yaml);
        BOOST_TEST(!contains(message, secret), message);
        BOOST_TEST(!contains(message, "hunter"), message);
    }
}

BOOST_AUTO_TEST_CASE(tls_settings_are_read_and_checked) {
    const auto config = parse_config("faktory: { tls: { verify: false, ca_file: /etc/ssl/ca.pem } }", "h.yaml");
    BOOST_TEST(!config.faktory.tls.verify);
    BOOST_TEST(config.faktory.tls.ca_file == "/etc/ssl/ca.pem");

    BOOST_TEST(config_error("faktory:\n  tls:\n    verify: yes\n") ==
               "/etc/fh/host.yaml:3:13: faktory.tls.verify: expected true or false, got 'yes'");
    BOOST_TEST(contains(config_error("faktory: { tls: { verfy: true } }"), "did you mean 'verify'?"));
    // A quoted boolean is a string in YAML, so it is refused like a quoted number.
    BOOST_TEST(config_error("faktory:\n  tls:\n    verify: \"false\"\n") ==
               "/etc/fh/host.yaml:3:13: faktory.tls.verify: expected true or false written without quotes, "
               "got the string \"false\"");
}

BOOST_AUTO_TEST_SUITE_END()
