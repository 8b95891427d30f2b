// Go encoding/json compatible rendering of parsed Poco JSON values.
#include "devserver/go_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace faktory_host::devserver {

namespace {

void append_float(std::string& out, double value) {
    if (!std::isfinite(value)) {  // cannot come from parsed JSON; keep the output valid anyway
        out += "null";
        return;
    }
    char buffer[64];
    const double magnitude = std::fabs(value);
    const bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21);
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value,
                                      plain ? std::chars_format::fixed : std::chars_format::scientific);
    std::string text(buffer, result.ptr);
    // Go writes 1e-7 where C++ writes 1e-07.
    const auto e = text.find("e-0");
    if (e != std::string::npos && e + 4 == text.size()) text.erase(e + 2, 1);
    out += text;
}

// Integers survive as they are only within float64's exact range, as in Go.
void append_integer(std::string& out, std::int64_t value) {
    constexpr std::int64_t exact = std::int64_t{1} << 53;
    if (value > exact || value < -exact) {
        append_float(out, static_cast<double>(value));
        return;
    }
    out += std::to_string(value);
}

} // namespace

void append_go_json_string(std::string& out, std::string_view text) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<': case '>': case '&':
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else if (c == 0xe2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                       (static_cast<unsigned char>(text[i + 2]) == 0xa8 ||
                        static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
                // U+2028 / U+2029, escaped by Go for JavaScript's sake.
                out += static_cast<unsigned char>(text[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
                i += 2;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void append_go_json(std::string& out, const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) {
        out += "null";
    } else if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        const auto object = value.extract<Poco::JSON::Object::Ptr>();
        if (object.isNull()) {
            out += "null";
            return;
        }
        out += '{';
        bool first = true;
        // Poco keeps keys sorted unless told to preserve insertion order; Go sorts map keys too.
        for (const auto& [key, member] : *object) {
            if (!first) out += ',';
            first = false;
            append_go_json_string(out, key);
            out += ':';
            append_go_json(out, member);
        }
        out += '}';
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        const auto array = value.extract<Poco::JSON::Array::Ptr>();
        if (array.isNull()) {
            out += "null";
            return;
        }
        out += '[';
        for (std::size_t i = 0; i < array->size(); ++i) {
            if (i > 0) out += ',';
            append_go_json(out, array->get(static_cast<unsigned>(i)));
        }
        out += ']';
    } else if (value.isString()) {
        append_go_json_string(out, value.extract<std::string>());
    } else if (value.isBoolean()) {
        out += value.convert<bool>() ? "true" : "false";
    } else if (value.isInteger()) {
        if (value.isSigned()) {
            append_integer(out, value.convert<std::int64_t>());
        } else {
            const auto unsigned_value = value.convert<std::uint64_t>();
            if (unsigned_value > (std::uint64_t{1} << 53))
                append_float(out, static_cast<double>(unsigned_value));
            else
                out += std::to_string(unsigned_value);
        }
    } else if (value.isNumeric()) {
        append_float(out, value.convert<double>());
    } else {
        append_go_json_string(out, value.convert<std::string>());
    }
}

std::string to_go_json(const Poco::Dynamic::Var& value) {
    std::string out;
    append_go_json(out, value);
    return out;
}

} // namespace faktory_host::devserver
