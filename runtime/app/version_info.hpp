// `faktory-host --version`: the host's version, the plugin ABI it loads, and
// the versions of Poco, yaml-cpp and OpenSSL it actually runs with (read
// from the loaded libraries, not from the headers it was compiled against;
// OpenSSL from the TLS module, "TLS module not found (...)" without it),
// so a bug report says exactly what was running.
#pragma once
#include <string>

namespace faktory_host::app {

std::string version_text();

} // namespace faktory_host::app
