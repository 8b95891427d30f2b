// The `faktory:` section: server URL, password (inline or from a file), TLS.
// Nothing here may put the password into an error message.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/sections.hpp"

namespace faktory_host::config {

namespace {

std::string read_password_file(const ConfigNode& node) {
    const auto path = node.as_path();
    std::ifstream in(path, std::ios::binary);
    if (!in) node.fail("cannot read password file '" + path.string() + "': " + std::strerror(errno));
    std::ostringstream contents;
    contents << in.rdbuf();
    std::string password = contents.str();
    // Files written by `echo` end in a newline that is not part of the password.
    const auto first = password.find_first_not_of(" \t\r\n");
    const auto last = password.find_last_not_of(" \t\r\n");
    password = first == std::string::npos ? "" : password.substr(first, last - first + 1);
    if (password.empty()) node.fail("password file '" + path.string() + "' is empty");
    return password;
}

TlsConfig read_tls(const ConfigNode& node) {
    node.expect_keys({"verify", "ca_file"});
    TlsConfig tls;
    if (auto verify = node.child("verify")) tls.verify = verify->as_bool();
    if (auto ca_file = node.child("ca_file")) tls.ca_file = ca_file->as_path().string();
    return tls;
}

} // namespace

FaktoryConfig read_faktory_section(const ConfigNode& section) {
    section.expect_keys({"url", "password", "password_file", "tls"});
    FaktoryConfig faktory;

    if (auto url = section.child("url")) {
        // The URL may carry a password (tcp://:secret@host), so it is never echoed.
        const auto text = url->as_string();
        if (text.rfind("tcp://", 0) != 0 && text.rfind("tcp+tls://", 0) != 0)
            url->fail("must start with tcp:// or tcp+tls://");
        faktory.url = text;
    }

    const auto password = section.child("password");
    const auto password_file = section.child("password_file");
    if (password && password_file)
        password_file->fail("give either faktory.password or faktory.password_file, not both");
    if (password) faktory.password = password->as_string();
    if (password_file) faktory.password = read_password_file(*password_file);

    if (auto tls = section.child("tls")) faktory.tls = read_tls(*tls);
    return faktory;
}

} // namespace faktory_host::config
