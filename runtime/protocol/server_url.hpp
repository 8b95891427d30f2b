// Where the Faktory server is: tcp://[:password@]host[:port] or tcp+tls://...
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace faktory_host::protocol {

struct ServerUrl {
    bool tls = false;
    std::string host = "localhost";
    std::uint16_t port = 7419;
    std::string password;  // percent-decoded; empty when none

    // Throws UrlError quoting `text` with the password masked.
    static ServerUrl parse(const std::string& text);

    // The URL with its password replaced by `***`: safe for logs and errors.
    std::string masked() const;

    // Where the secret sits in URL text: [begin, end) of everything after the
    // userinfo's first ':' (the whole userinfo when it has none), or nullopt
    // when there is no userinfo. For masking messages and scrubbing argv.
    static std::optional<std::pair<std::size_t, std::size_t>> secret_span(const std::string& text);

    // Resolution order: `explicit_url` when given; else the variable named by
    // FAKTORY_PROVIDER (default FAKTORY_URL) when set; else `fallback_url`
    // when given; else tcp://localhost:7419.
    static ServerUrl resolve(const std::optional<std::string>& explicit_url,
                             const std::optional<std::string>& fallback_url = std::nullopt);

    // Only the environment (FAKTORY_PROVIDER / FAKTORY_URL), if set. A
    // FAKTORY_PROVIDER naming an unset or empty variable throws UrlError.
    static std::optional<std::string> from_environment();
};

} // namespace faktory_host::protocol
