// Finds and loads the client-side TLS module (faktory-host-tls.so) the first
// time a tcp+tls:// URL is connected, or for --version. The module is looked
// for next to the running executable, at <bin>/../lib/faktory-host/, which
// is both the installed layout and the build tree's. Once loaded it is never
// unloaded: sockets and Poco objects it made live on in the host.
#pragma once
#include <filesystem>
#include <string>

namespace faktory_host::protocol {

namespace tls {
struct ModuleApi;
}

// Where the module is expected for this process (from /proc/self/exe).
std::filesystem::path tls_module_path();

// Loads the module at `path` (dlopen; not cached). Returns nullptr and sets
// `error` to a message naming the path and what dlopen/dlsym said when the
// file is missing, not a loadable library, lacks the entry point, or was
// built for another version of the contract.
const tls::ModuleApi* load_tls_module(const std::filesystem::path& path, std::string& error);

// The module at tls_module_path(), loaded once per process on success (a
// failure is retried next time, so installing it later needs no restart).
// Throws ConnectionError with load_tls_module's message when it cannot be loaded.
const tls::ModuleApi& tls_module();

// The OpenSSL version the TLS module runs with, loading it if needed, or
// "TLS module not found (<why>)" when it cannot be loaded. For --version.
std::string tls_library_version();

} // namespace faktory_host::protocol
