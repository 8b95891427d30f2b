// The client-side TLS module (faktory-host-tls.so) is found next to the
// executable, loaded with dlopen, and every way it can be unusable (missing,
// not a library, no entry point) is an error naming its path and what the
// dynamic loader said; Connection turns that into a ConnectionError.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "protocol/connection.hpp"
#include "protocol/errors.hpp"
#include "protocol/tls/tls_module_abi.hpp"
#include "protocol/tls_module_loader.hpp"
#include "support/temp_dir.hpp"

using namespace faktory_host::protocol;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(the_module_is_looked_for_in_lib_faktory_host_next_to_the_executables_bin) {
    const auto bin = fs::read_symlink("/proc/self/exe").parent_path();
    const auto expected = (bin / ".." / "lib" / "faktory-host" / "faktory-host-tls.so").lexically_normal();
    BOOST_TEST(tls_module_path() == expected);
    // The build tree has the same layout as an install: build/bin and build/lib/faktory-host.
    BOOST_TEST(fs::is_regular_file(expected), expected);
}

BOOST_AUTO_TEST_CASE(the_built_module_loads_and_names_the_openssl_it_runs_with) {
    std::string error;
    const auto* api = load_tls_module(tls_module_path(), error);
    BOOST_REQUIRE_MESSAGE(api, error);
    BOOST_TEST(api->abi_version == tls::module_abi_version);
    BOOST_TEST(std::string(api->openssl_version()).rfind("OpenSSL ", 0) == 0, api->openssl_version());
    BOOST_TEST(tls_library_version() == std::string(api->openssl_version()));
}

BOOST_AUTO_TEST_CASE(a_missing_module_is_an_error_naming_its_path_and_the_loaders_reason) {
    faktory_host::testing::TempDir dir;
    const auto path = dir / "faktory-host-tls.so";
    std::string error;
    BOOST_TEST(load_tls_module(path, error) == nullptr);
    BOOST_TEST(contains(error, "cannot load the TLS module " + path.string() + ": "), error);
    BOOST_TEST(contains(error, "No such file or directory"), error);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_library_is_an_error_not_a_crash) {
    faktory_host::testing::TempDir dir;
    const auto path = dir / "faktory-host-tls.so";
    std::ofstream(path) << std::string(512, 'x') << "\n";
    std::string error;
    BOOST_TEST(load_tls_module(path, error) == nullptr);
    BOOST_TEST(contains(error, "cannot load the TLS module " + path.string()), error);
    BOOST_TEST(contains(error, "invalid ELF header"), error);
}

BOOST_AUTO_TEST_CASE(a_library_without_the_entry_point_is_refused) {
    std::string error;
    BOOST_TEST(load_tls_module("libm.so.6", error) == nullptr);
    BOOST_TEST(contains(error, "cannot load the TLS module libm.so.6: no faktory_host_tls_module entry point"),
               error);
}

BOOST_AUTO_TEST_CASE(a_refused_tls_connect_is_a_connection_error_worded_like_a_plain_one) {
    int port = 0;
    {
        Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = probe.address().port();
    }  // closed: nothing listens there now
    ServerUrl url;
    url.tls = true;
    url.host = "127.0.0.1";
    url.port = static_cast<std::uint16_t>(port);
    ConnectionOptions options;
    options.tls.verify_peer = false;
    try {
        Connection connection(url, options);
        BOOST_FAIL("connected to a closed port");
    } catch (const ConnectionError& e) {
        const std::string message = e.what();
        BOOST_TEST(contains(message, "cannot connect to Faktory server tcp+tls://127.0.0.1:" + std::to_string(port)),
                   message);
        BOOST_TEST(contains(message, "refused"), message);
    }
}
