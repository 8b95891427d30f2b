// ShadowDirectory: private, fresh, cleaned up; and the SHA-256 used for pins.
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "plugins/shadow_directory.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using faktory_host::plugins::sha256_of_file;
using faktory_host::plugins::ShadowDirectory;
using faktory_host::testing::TempDir;

BOOST_AUTO_TEST_CASE(shadow_directory_is_private_fresh_and_removed_with_its_contents) {
    fs::path first_path;
    {
        ShadowDirectory first;
        ShadowDirectory second;
        first_path = first.path();
        BOOST_TEST(first.path() != second.path());
        struct stat st {};
        BOOST_TEST_REQUIRE(::stat(first.path().c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 0777) == 0700u);
        TempDir source;
        std::ofstream((source / "a.so").string()) << "bytes";
        const auto copy = first.copy_in(source / "a.so", "g1-a.so");
        std::ifstream in(copy.string());
        BOOST_TEST(std::string(std::istreambuf_iterator<char>(in), {}) == "bytes");
    }
    BOOST_TEST(!fs::exists(first_path));
}

BOOST_AUTO_TEST_CASE(sha256_of_file_matches_the_known_vector) {
    TempDir dir;
    std::ofstream((dir / "abc").string()) << "abc";
    BOOST_TEST(sha256_of_file(dir / "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(sha256_of_a_missing_file_throws) {
    TempDir dir;
    BOOST_CHECK_THROW(sha256_of_file(dir / "absent"), std::runtime_error);
}
