// SharedImage: eager, local-scope loading of a plugin image (see the header for why).
#include "plugins/shared_image.hpp"

#include <dlfcn.h>

namespace faktory_host::plugins {

SharedImage::SharedImage(const std::filesystem::path& file) {
    handle_ = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
        const char* reason = ::dlerror();
        throw ImageLoadError(reason ? reason : "dlopen failed");
    }
}

SharedImage::~SharedImage() {
    if (!keep_mapped_) ::dlclose(handle_);
}

bool SharedImage::still_loaded(const std::filesystem::path& path) {
    void* handle = ::dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
    if (!handle) return false;
    ::dlclose(handle);  // RTLD_NOLOAD took a reference too
    return true;
}

void* SharedImage::symbol(const std::string& name) const { return ::dlsym(handle_, name.c_str()); }

} // namespace faktory_host::plugins
