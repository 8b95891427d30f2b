// One plugin image mapped into the process with dlopen(RTLD_NOW | RTLD_LOCAL):
// every symbol resolves at load (a missing one is an error now, naming it,
// not a crash when the first job calls it), and nothing the plugin exports
// can satisfy another plugin's references. Closed when the object goes away,
// unless the loader decided the image must stay mapped for good.
#pragma once
#include <filesystem>
#include <stdexcept>
#include <string>

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
    ~SharedImage();  // dlclose, unless keep_mapped() was called
    SharedImage(const SharedImage&) = delete;
    SharedImage& operator=(const SharedImage&) = delete;

    // The address of an exported symbol, or nullptr when the image has none.
    void* symbol(const std::string& name) const;

    // Never dlclose: a thread may still run the image's code.
    void keep_mapped() { keep_mapped_ = true; }

    // Whether the dynamic linker still holds an image loaded from `path`
    // (dlclose does not unload one pinned by -z nodelete, a GNU unique symbol
    // or a thread_local destructor).
    static bool still_loaded(const std::filesystem::path& path);

private:
    void* handle_ = nullptr;
    bool keep_mapped_ = false;
};

} // namespace faktory_host::plugins
