// Faktory URL parsing, masking, and where the URL comes from (environment rules).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

#include "protocol/errors.hpp"
#include "protocol/server_url.hpp"

using faktory_host::protocol::ServerUrl;
using faktory_host::protocol::UrlError;

namespace {

// Clears the variables the resolution reads, and restores a clean slate after.
struct CleanEnvironment {
    CleanEnvironment() { clear(); }
    ~CleanEnvironment() { clear(); }
    static void clear() {
        unsetenv("FAKTORY_PROVIDER");
        unsetenv("FAKTORY_URL");
        unsetenv("MY_FAKTORY");
    }
};

std::string url_error(const std::string& text) {
    try {
        ServerUrl::parse(text);
    } catch (const UrlError& e) {
        return e.what();
    }
    BOOST_FAIL("no UrlError for " << text);
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(parses_host_and_defaults_port_7419) {
    const auto url = ServerUrl::parse("tcp://faktory.internal");
    BOOST_TEST(!url.tls);
    BOOST_TEST(url.host == "faktory.internal");
    BOOST_TEST(url.port == 7419);
    BOOST_TEST(url.password.empty());
}

BOOST_AUTO_TEST_CASE(parses_tls_scheme_port_and_password) {
    const auto url = ServerUrl::parse("tcp+tls://:s3cret@example.com:17419");
    BOOST_TEST(url.tls);
    BOOST_TEST(url.host == "example.com");
    BOOST_TEST(url.port == 17419);
    BOOST_TEST(url.password == "s3cret");
}

BOOST_AUTO_TEST_CASE(percent_decodes_the_password_including_colon_and_at) {
    const auto url = ServerUrl::parse("tcp://:p%40ss%3Aw%20rd@localhost:7419/");
    BOOST_TEST(url.password == "p@ss:w rd");
    BOOST_TEST(url.host == "localhost");
}

BOOST_AUTO_TEST_CASE(parses_bracketed_ipv6_host) {
    const auto url = ServerUrl::parse("tcp://[::1]:7500");
    BOOST_TEST(url.host == "::1");
    BOOST_TEST(url.port == 7500);
    BOOST_TEST(url.masked() == "tcp://[::1]:7500");
}

BOOST_AUTO_TEST_CASE(masked_hides_the_password) {
    const auto url = ServerUrl::parse("tcp+tls://:hunter2@h:1");
    BOOST_TEST(url.masked() == "tcp+tls://:***@h:1");
    BOOST_TEST(ServerUrl::parse("tcp://h").masked() == "tcp://h:7419");
}

BOOST_AUTO_TEST_CASE(rejects_bad_urls_with_password_masked_in_the_message) {
    for (const std::string text : {"http://:hunter2@host:7419", "tcp://:hunter2@host:notaport",
                                   "tcp://:hunter2@:7419", "tcp://:hunter2@host/path", "redis://:hunter2@x"}) {
        const auto message = url_error(text);
        BOOST_TEST(message.find("hunter2") == std::string::npos, message);
        BOOST_TEST(message.find("***") != std::string::npos, message);
    }
    BOOST_TEST(url_error("localhost:7419").find("localhost:7419") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(resolve_prefers_explicit_url_over_environment) {
    CleanEnvironment env;
    setenv("FAKTORY_URL", "tcp://from-env:1", 1);
    BOOST_TEST(ServerUrl::resolve(std::string("tcp://explicit:2")).host == "explicit");
}

BOOST_AUTO_TEST_CASE(resolve_uses_faktory_url_over_fallback) {
    CleanEnvironment env;
    setenv("FAKTORY_URL", "tcp://from-env:1", 1);
    BOOST_TEST(ServerUrl::resolve(std::nullopt, std::string("tcp://fallback:3")).host == "from-env");
}

BOOST_AUTO_TEST_CASE(resolve_follows_faktory_provider_to_another_variable) {
    CleanEnvironment env;
    setenv("FAKTORY_URL", "tcp://from-faktory-url:1", 1);
    setenv("FAKTORY_PROVIDER", "MY_FAKTORY", 1);
    setenv("MY_FAKTORY", "tcp://:pw@from-provider:4", 1);
    const auto url = ServerUrl::resolve(std::nullopt);
    BOOST_TEST(url.host == "from-provider");
    BOOST_TEST(url.password == "pw");
}

BOOST_AUTO_TEST_CASE(a_provider_naming_an_unset_or_empty_variable_is_an_error_not_a_fallback) {
    CleanEnvironment env;
    setenv("FAKTORY_URL", "tcp://from-faktory-url:1", 1);
    setenv("FAKTORY_PROVIDER", "MY_FAKTORY", 1);
    const auto expect_error = [](const std::string& expected) {
        try {
            ServerUrl::resolve(std::nullopt, std::string("tcp://fallback:3"));
            BOOST_FAIL("expected a UrlError");
        } catch (const UrlError& e) {
            BOOST_TEST(e.what() == expected);
        }
    };
    expect_error("FAKTORY_PROVIDER names MY_FAKTORY, which is not set");
    BOOST_CHECK_THROW(ServerUrl::from_environment(), UrlError);
    setenv("MY_FAKTORY", "", 1);
    expect_error("FAKTORY_PROVIDER names MY_FAKTORY, which is empty");
    setenv("FAKTORY_PROVIDER", "tcp://:pw@host", 1);  // a URL where a variable name belongs
    expect_error("FAKTORY_PROVIDER must name an environment variable (such as FAKTORY_URL), got \"tcp://:pw@host\"");
    // An explicit URL needs no environment at all.
    BOOST_TEST(ServerUrl::resolve(std::string("tcp://explicit:2")).host == "explicit");
}

BOOST_AUTO_TEST_CASE(a_password_without_its_colon_is_an_error_that_masks_it) {
    const auto message = url_error("tcp://hunter2@host:7419");
    BOOST_TEST(message == "invalid Faktory URL \"tcp://***@host:7419\": the part before '@' has no ':'; a password "
                          "is written tcp://:PASSWORD@host (expected tcp://[:password@]host[:port] or tcp+tls://...)");
    BOOST_TEST(url_error("tcp+tls://hunter2@host").find("hunter2") == std::string::npos);
    BOOST_TEST(ServerUrl::parse("tcp://:@host").password.empty());  // an explicit empty password is fine
}

BOOST_AUTO_TEST_CASE(secret_span_covers_exactly_the_password) {
    const std::string text = "tcp://:s3cr3t@host:7419";
    const auto span = ServerUrl::secret_span(text);
    BOOST_TEST_REQUIRE(span.has_value());
    BOOST_TEST(text.substr(span->first, span->second - span->first) == "s3cr3t");
    const std::string no_colon = "tcp://s3cr3t@host";
    const auto whole = ServerUrl::secret_span(no_colon);
    BOOST_TEST_REQUIRE(whole.has_value());
    BOOST_TEST(no_colon.substr(whole->first, whole->second - whole->first) == "s3cr3t");
    BOOST_TEST(!ServerUrl::secret_span("tcp://host:7419/a@b").has_value());
    BOOST_TEST(!ServerUrl::secret_span("tcp://host").has_value());
}

BOOST_AUTO_TEST_CASE(resolve_defaults_to_localhost_7419) {
    CleanEnvironment env;
    const auto url = ServerUrl::resolve(std::nullopt);
    BOOST_TEST(url.host == "localhost");
    BOOST_TEST(url.port == 7419);
    BOOST_TEST(!url.tls);
}
