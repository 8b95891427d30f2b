// ShadowDirectory and the digest used for pinning: the copies the loader maps.
#include "plugins/shadow_directory.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

namespace faktory_host::plugins {

namespace fs = std::filesystem;

ShadowDirectory::ShadowDirectory() {
    std::string pattern = (fs::temp_directory_path() / "faktory-host-plugins-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    // mkdtemp: a fresh name, created 0700, so no other user can place or swap a file in it.
    if (!::mkdtemp(buffer.data()))
        throw std::runtime_error("cannot create a private directory for plugin copies under " +
                                 fs::temp_directory_path().string() + ": " + std::strerror(errno));
    path_ = buffer.data();
}

ShadowDirectory::~ShadowDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

fs::path ShadowDirectory::copy_in(const fs::path& source, const std::string& name) const {
    const fs::path target = path_ / name;
    std::error_code error;
    fs::copy_file(source, target, fs::copy_options::overwrite_existing, error);
    if (error) throw std::runtime_error("cannot copy it to " + target.string() + ": " + error.message());
    return target;
}

std::string sha256_of_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string() + " to check its SHA-256 pin");
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    std::vector<char> chunk(64 * 1024);
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        if (in.gcount() > 0) engine.update(chunk.data(), static_cast<std::size_t>(in.gcount()));
    }
    return Poco::DigestEngine::digestToHex(engine.digest());
}

} // namespace faktory_host::plugins
