// How untrusted text (a jid, a jobtype, a plugin's message) is made safe for
// one log line, so that it can neither break the line nor forge another.
// Header-only, allocation-free and async-signal-safe: the crash handler's
// lines (runtime/crash) escape by these same rules as the normal text lines.
#pragma once
#include <string_view>

namespace faktory_host::logging {

enum class LogEscape {
    text,  // \n and \r by name, other control characters as \xNN; tabs kept
    json,  // inside a JSON string: also " and \, control characters as \u00NN
};

// Feeds the escaped form of `text` to `put`, one character at a time.
template <typename Put>
void escape_for_log(std::string_view text, LogEscape mode, Put&& put) noexcept(noexcept(put('x'))) {
    static constexpr char hex[] = "0123456789abcdef";
    const bool json = mode == LogEscape::json;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (json && (c == '"' || c == '\\')) {
            put('\\');
            put(c);
        } else if (c == '\n' || c == '\r') {
            put('\\');
            put(c == '\n' ? 'n' : 'r');
        } else if (byte < 0x20 && !(c == '\t' && !json)) {
            put('\\');
            if (json) {
                put('u');
                put('0');
                put('0');
            } else {
                put('x');
            }
            put(hex[byte >> 4]);
            put(hex[byte & 0xf]);
        } else {
            put(c);
        }
    }
}

} // namespace faktory_host::logging
