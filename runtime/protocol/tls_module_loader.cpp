// Loading faktory-host-tls.so: path from /proc/self/exe, dlopen/dlsym, the
// contract version check, and a process-wide cache of the loaded module.
#include "protocol/tls_module_loader.hpp"

#include <dlfcn.h>

#include <atomic>
#include <mutex>
#include <system_error>

#include "protocol/errors.hpp"
#include "protocol/tls/tls_module_abi.hpp"

namespace faktory_host::protocol {

namespace {

std::string dl_error() {
    const char* text = ::dlerror();
    return text ? text : "unknown dynamic loader error";
}

} // namespace

std::filesystem::path tls_module_path() {
    std::error_code error;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    // Without /proc the module is looked for relative to the working directory's bin/.
    const auto bin = error ? std::filesystem::path("bin") : executable.parent_path();
    return (bin / FAKTORY_TLS_MODULE_DIR_FROM_BINDIR / tls::module_file_name).lexically_normal();
}

const tls::ModuleApi* load_tls_module(const std::filesystem::path& path, std::string& error) {
    const std::string prefix = "cannot load the TLS module " + path.string() + ": ";
    // RTLD_LOCAL: NetSSL and OpenSSL stay out of the global symbol scope, where
    // they could interpose on what plugins load. Never closed (see header).
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        error = prefix + dl_error();
        return nullptr;
    }
    ::dlerror();
    void* entry = ::dlsym(handle, tls::module_entry_point);
    if (!entry) {
        error = prefix + "no " + tls::module_entry_point + " entry point (" + dl_error() + ")";
        return nullptr;
    }
    const tls::ModuleApi* api = reinterpret_cast<tls::ModuleEntryPoint>(entry)();
    if (!api || api->abi_version != tls::module_abi_version) {
        error = prefix + "it was built for another version of the host (module contract " +
                (api ? std::to_string(api->abi_version) : std::string("unknown")) + ", host expects " +
                std::to_string(tls::module_abi_version) + ")";
        return nullptr;
    }
    return api;
}

const tls::ModuleApi& tls_module() {
    static std::atomic<const tls::ModuleApi*> loaded{nullptr};
    static std::mutex loading;
    if (const auto* api = loaded.load(std::memory_order_acquire)) return *api;
    const std::lock_guard lock(loading);
    if (const auto* api = loaded.load(std::memory_order_relaxed)) return *api;
    std::string error;
    const auto* api = load_tls_module(tls_module_path(), error);
    if (!api) throw ConnectionError(error);
    loaded.store(api, std::memory_order_release);
    return *api;
}

std::string tls_library_version() {
    try {
        return tls_module().openssl_version();
    } catch (const ConnectionError& e) {
        return std::string("TLS module not found (") + e.what() + ")";
    }
}

} // namespace faktory_host::protocol
