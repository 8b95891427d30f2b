// Parsing, masking and environment resolution of Faktory server URLs.
#include "protocol/server_url.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "protocol/errors.hpp"

namespace faktory_host::protocol {

namespace {

constexpr std::uint16_t default_port = 7419;

// Where the userinfo (`user:password@`) sits in the raw text, if any. Done on
// the raw text because Poco decodes userinfo as a whole, which would make a
// percent-encoded ':' inside the password ambiguous.
struct UserInfoSpan {
    std::size_t begin = std::string::npos;  // first byte after "://"
    std::size_t at = std::string::npos;     // position of '@'
};

UserInfoSpan find_userinfo(const std::string& text) {
    UserInfoSpan span;
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string::npos) return span;
    const auto begin = scheme_end + 3;
    const auto authority_end = text.find_first_of("/?#", begin);
    const auto at = text.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end - 1);
    if (at == std::string::npos || at < begin) return span;
    span.begin = begin;
    span.at = at;
    return span;
}

// The text with its secret (see secret_span) replaced by ***; safe to put in an error.
std::string mask_text(const std::string& text) {
    const auto secret = ServerUrl::secret_span(text);
    if (!secret) return text;
    return text.substr(0, secret->first) + "***" + text.substr(secret->second);
}

bool is_variable_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
    return std::all_of(name.begin(), name.end(),
                       [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

[[noreturn]] void bad_url(const std::string& text, const std::string& why) {
    throw UrlError("invalid Faktory URL \"" + mask_text(text) + "\": " + why +
                   " (expected tcp://[:password@]host[:port] or tcp+tls://...)");
}

} // namespace

ServerUrl ServerUrl::parse(const std::string& text) {
    Poco::URI uri;
    try {
        uri = Poco::URI(text);
    } catch (const Poco::Exception& e) {
        bad_url(text, e.message().empty() ? e.displayText() : e.message());
    }
    ServerUrl url;
    if (uri.getScheme() == "tcp") {
        url.tls = false;
    } else if (uri.getScheme() == "tcp+tls") {
        url.tls = true;
    } else {
        bad_url(text, uri.getScheme().empty() ? "no scheme" : "unsupported scheme \"" + uri.getScheme() + "\"");
    }
    if (uri.getHost().empty()) bad_url(text, "no host");
    if (!uri.getPath().empty() && uri.getPath() != "/") bad_url(text, "a path is not allowed");
    if (!uri.getRawQuery().empty() || !uri.getFragment().empty()) bad_url(text, "a query or fragment is not allowed");
    url.host = uri.getHost();
    url.port = uri.getSpecifiedPort() != 0 ? uri.getSpecifiedPort() : default_port;

    const auto span = find_userinfo(text);
    if (span.at != std::string::npos) {
        const std::string userinfo = text.substr(span.begin, span.at - span.begin);
        const auto colon = userinfo.find(':');
        // Faktory has no user names: "secret@host" is a password missing its ':',
        // and dropping it silently would fail later as a puzzling auth error.
        if (colon == std::string::npos)
            bad_url(text, "the part before '@' has no ':'; a password is written tcp://:PASSWORD@host");
        try {
            Poco::URI::decode(userinfo.substr(colon + 1), url.password);
        } catch (const Poco::Exception&) {
            bad_url(text, "the password is not valid percent-encoding");
        }
    }
    return url;
}

std::optional<std::pair<std::size_t, std::size_t>> ServerUrl::secret_span(const std::string& text) {
    const auto span = find_userinfo(text);
    if (span.at == std::string::npos) return std::nullopt;
    const auto colon = text.find(':', span.begin);
    const auto secret_begin = (colon != std::string::npos && colon < span.at) ? colon + 1 : span.begin;
    return std::make_pair(secret_begin, span.at);
}

std::string ServerUrl::masked() const {
    std::string out = tls ? "tcp+tls://" : "tcp://";
    if (!password.empty()) out += ":***@";
    // Appended piece by piece: GCC 12's -Wrestrict misfires on `"literal" + string` at -O3.
    if (host.find(':') != std::string::npos)
        out.append("[").append(host).append("]");
    else
        out.append(host);
    out.append(":").append(std::to_string(port));
    return out;
}

std::optional<std::string> ServerUrl::from_environment() {
    const char* provider = std::getenv("FAKTORY_PROVIDER");
    if (provider != nullptr && *provider != '\0') {
        // A provider that names nothing is a deployment mistake; falling back
        // to FAKTORY_URL or localhost would hide it behind a wrong server.
        const std::string variable = provider;
        if (!is_variable_name(variable))
            throw UrlError("FAKTORY_PROVIDER must name an environment variable (such as FAKTORY_URL), got \"" +
                           variable + "\"");
        const char* value = std::getenv(variable.c_str());
        if (value == nullptr) throw UrlError("FAKTORY_PROVIDER names " + variable + ", which is not set");
        if (*value == '\0') throw UrlError("FAKTORY_PROVIDER names " + variable + ", which is empty");
        return std::string(value);
    }
    const char* value = std::getenv("FAKTORY_URL");
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

ServerUrl ServerUrl::resolve(const std::optional<std::string>& explicit_url,
                             const std::optional<std::string>& fallback_url) {
    if (explicit_url) return parse(*explicit_url);
    if (auto from_env = from_environment()) return parse(*from_env);
    if (fallback_url) return parse(*fallback_url);
    return ServerUrl{};
}

} // namespace faktory_host::protocol
