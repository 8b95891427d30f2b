// Version lines from the running libraries: Poco reports its own, OpenSSL's
// comes from the TLS module (loaded for this, as the host does not link it);
// yaml-cpp has no version call, so its loaded file's real name (for example
// libyaml-cpp.so.0.7.0) is read from the dynamic linker's list.
#include "app/version_info.hpp"

#include <filesystem>
#include <sstream>

#include <link.h>

#include <Poco/Environment.h>

#include <faktory/plugin.h>

#include "protocol/tls_module_loader.hpp"

namespace faktory_host::app {

namespace {

std::string poco_version() {
    const auto v = Poco::Environment::libraryVersion();  // 0xMMmmpp..
    return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xFF) + "." + std::to_string((v >> 8) & 0xFF);
}

// The version suffix of the loaded libyaml-cpp.so.X.Y.Z, if it is loaded as a shared library.
std::string loaded_yaml_cpp_version() {
    std::string found;
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
            const std::string name = info->dlpi_name ? info->dlpi_name : "";
            if (name.find("libyaml-cpp.so") == std::string::npos) return 0;
            std::error_code error;
            const auto real = std::filesystem::canonical(name, error).filename().string();
            const std::string prefix = "libyaml-cpp.so.";
            if (!error && real.rfind(prefix, 0) == 0) *static_cast<std::string*>(out) = real.substr(prefix.size());
            return 1;
        },
        &found);
    return found;
}

} // namespace

std::string version_text() {
    std::ostringstream out;
    out << "faktory-host " << FAKTORY_HOST_VERSION << "\n";
    out << "plugin ABI  " << FAKTORY_PLUGIN_ABI_MAJOR << "." << FAKTORY_PLUGIN_ABI_MINOR << "\n";
    out << "Poco        " << poco_version() << "\n";
    const auto yaml = loaded_yaml_cpp_version();
    out << "yaml-cpp    " << (yaml.empty() ? std::string(FAKTORY_YAML_CPP_BUILD_VERSION) + " (linked statically)" : yaml)
        << "\n";
    out << "OpenSSL     " << protocol::tls_library_version() << "\n";
    return out.str();
}

} // namespace faktory_host::app
