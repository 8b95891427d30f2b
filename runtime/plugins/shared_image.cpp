// SharedImage: eager, local-scope loading of a plugin image (see the header for why).
#include "plugins/shared_image.hpp"

#include <dlfcn.h>

#include <Poco/Exception.h>
#include <Poco/SharedLibrary.h>

namespace faktory_host::plugins {

SharedImage::SharedImage(const std::filesystem::path& file) {
    // RTLD_NOW resolves every symbol here, so a missing one is an error now, naming it.
    void* eager = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!eager) {
        const char* reason = ::dlerror();
        throw ImageLoadError(reason ? reason : "dlopen failed");
    }
    try {
        // Same file, already relocated: Poco's open only takes another reference.
        library_ = std::make_unique<Poco::SharedLibrary>(file.string(), Poco::SharedLibrary::SHLIB_LOCAL);
    } catch (const Poco::Exception& e) {
        ::dlclose(eager);
        throw ImageLoadError(e.displayText());
    }
    ::dlclose(eager);
}

SharedImage::~SharedImage() {
    // Poco's destructor leaves the library loaded; unload() is what drops our reference.
    if (library_ && library_->isLoaded()) library_->unload();
}

void* SharedImage::symbol(const std::string& name) const {
    return library_->hasSymbol(name) ? library_->getSymbol(name) : nullptr;
}

} // namespace faktory_host::plugins
