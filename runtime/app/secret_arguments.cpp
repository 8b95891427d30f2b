// scrub_url_passwords: the kernel serves /proc/<pid>/cmdline straight from the
// argv strings, so writing over them in place is what hides a password; it
// stays exposed only between exec and this call (hence the warning).
#include "app/secret_arguments.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

#include "protocol/server_url.hpp"

namespace faktory_host::app {

namespace {

// Scrubs every URL inside one argument ("--url=tcp://:pw@h" holds one too);
// returns whether anything was overwritten.
bool scrub_argument(char* argument) {
    bool scrubbed = false;
    const std::string_view text(argument);
    // Schemes are case-insensitive (TCP://... parses too), so search a lowercase copy.
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const std::string_view scheme : {"tcp://", "tcp+tls://"}) {
        for (auto start = lower.find(scheme); start != std::string::npos; start = lower.find(scheme, start + 1)) {
            const auto secret = protocol::ServerUrl::secret_span(std::string(text.substr(start)));
            if (!secret || secret->first == secret->second) continue;
            std::memset(argument + start + secret->first, '*', secret->second - secret->first);
            scrubbed = true;
        }
    }
    return scrubbed;
}

} // namespace

int scrub_url_passwords(int argc, char** argv) {
    int scrubbed = 0;
    for (int i = 1; i < argc; ++i)
        if (argv[i] != nullptr && scrub_argument(argv[i])) ++scrubbed;
    return scrubbed;
}

const char* command_line_password_warning() {
    return "warning: a password given on the command line is visible to every user of this machine "
           "(ps, /proc) until the host starts; it has been hidden now, but prefer faktory.password_file "
           "(mode 0600) or FAKTORY_URL in the environment";
}

} // namespace faktory_host::app
