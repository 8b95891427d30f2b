// The `faktory:` section: URL, password / password_file, TLS, and the rule
// that no error message ever contains the password.
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
    std::ofstream(dir / "password") << "  s3cret\n";
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
    std::ofstream(dir / "password") << "\n";
    const auto message = config_error("faktory: { password_file: password }", (dir / "host.yaml").string());
    BOOST_TEST(contains(message, "is empty"), message);
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
}

BOOST_AUTO_TEST_SUITE_END()
