#include "support/temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

namespace faktory_host::testing {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "faktory-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
    // mkdtemp creates 0700; the plugin loader refuses group/other-writable dirs, which 0700 is not.
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

} // namespace faktory_host::testing
