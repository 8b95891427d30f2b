// One plugin image mapped into the process, closed when the object goes away.
// Loading goes through Poco::SharedLibrary with SHLIB_LOCAL, after an eager
// dlopen(RTLD_NOW | RTLD_LOCAL) of the same file: Poco 1.11 binds lazily
// (RTLD_LAZY) and has no flag to change that, so without the eager open an
// unresolved symbol would surface only when the first job calls it (as a
// crash). The eager handle is dropped once Poco holds its own.
#pragma once
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace Poco {
class SharedLibrary;
}

namespace faktory_host::plugins {

// Loading failed; what() is the dynamic linker's text (dlerror).
class ImageLoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SharedImage {
public:
    // Throws ImageLoadError when the file cannot be mapped or a symbol does not resolve.
    explicit SharedImage(const std::filesystem::path& file);
    ~SharedImage();  // unloads: the mapping goes when no other handle holds it
    SharedImage(const SharedImage&) = delete;
    SharedImage& operator=(const SharedImage&) = delete;

    // The address of an exported symbol, or nullptr when the image has none.
    void* symbol(const std::string& name) const;

private:
    std::unique_ptr<Poco::SharedLibrary> library_;
};

} // namespace faktory_host::plugins
