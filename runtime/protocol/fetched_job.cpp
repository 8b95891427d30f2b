// The check of a fetched job, and the tolerant jid scanner it falls back on.
#include "protocol/fetched_job.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>

#include "protocol/json_text.hpp"
#include "protocol/resp.hpp"

namespace faktory_host::protocol {

namespace {

// Walks JSON from the start of a text that may be cut short; every step
// returns false at the first thing it cannot read, never throws.
class PrefixScanner {
public:
    explicit PrefixScanner(std::string_view text) : text_(text) {}

    std::optional<std::string> top_level_string(std::string_view key) {
        skip_space();
        if (!take('{')) return std::nullopt;
        while (true) {
            skip_space();
            std::string name;
            if (!string(&name)) return std::nullopt;
            skip_space();
            if (!take(':')) return std::nullopt;
            skip_space();
            if (name == key) {
                std::string value;
                if (at() != '"' || !string(&value)) return std::nullopt;
                return value;
            }
            if (!skip_value(0)) return std::nullopt;
            skip_space();
            if (!take(',')) return std::nullopt;  // '}' ends the object without the key
        }
    }

private:
    char at() const { return position_ < text_.size() ? text_[position_] : '\0'; }
    bool take(char c) {
        if (at() != c) return false;
        ++position_;
        return true;
    }
    void skip_space() {
        while (position_ < text_.size() && (at() == ' ' || at() == '\t' || at() == '\r' || at() == '\n')) ++position_;
    }

    // A string literal; `out` gets its value (escapes decoded) when not null.
    bool string(std::string* out) {
        if (!take('"')) return false;
        while (position_ < text_.size()) {
            const char c = text_[position_++];
            if (c == '"') return true;
            if (c != '\\') {
                if (out) *out += c;
                continue;
            }
            if (position_ >= text_.size()) return false;
            const char escaped = text_[position_++];
            switch (escaped) {
            case '"': case '\\': case '/': if (out) *out += escaped; break;
            case 'b': if (out) *out += '\b'; break;
            case 'f': if (out) *out += '\f'; break;
            case 'n': if (out) *out += '\n'; break;
            case 'r': if (out) *out += '\r'; break;
            case 't': if (out) *out += '\t'; break;
            case 'u': {
                if (position_ + 4 > text_.size()) return false;
                unsigned code = 0;
                for (int i = 0; i < 4; ++i) {
                    const char h = text_[position_++];
                    code <<= 4;
                    if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
                    else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
                    else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
                    else return false;
                }
                if (code >= 0xD800 && code <= 0xDFFF) return false;  // surrogate pairs: not in any sane jid
                if (out) append_utf8(*out, code);
                break;
            }
            default: return false;
            }
        }
        return false;
    }

    static void append_utf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    bool skip_value(int depth) {
        if (depth > 64) return false;
        skip_space();
        const char c = at();
        if (c == '"') return string(nullptr);
        if (c == '{' || c == '[') {
            const char close = c == '{' ? '}' : ']';
            ++position_;
            skip_space();
            if (take(close)) return true;
            while (true) {
                if (c == '{') {
                    skip_space();
                    if (!string(nullptr)) return false;
                    skip_space();
                    if (!take(':')) return false;
                }
                if (!skip_value(depth + 1)) return false;
                skip_space();
                if (take(close)) return true;
                if (!take(',')) return false;
            }
        }
        // A number or true/false/null: one run of the characters they are made of.
        const auto start = position_;
        while (position_ < text_.size()) {
            const char d = at();
            const bool part = (d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') || d == '-' || d == '+' || d == '.' ||
                              d == 'E';
            if (!part) break;
            ++position_;
        }
        return position_ > start && position_ < text_.size();  // at the very end it may be cut short
    }

    std::string_view text_;
    std::size_t position_ = 0;
};

const char* json_type(const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) return "null";
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) return "an object";
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) return "an array";
    if (value.isString()) return "a string";
    if (value.isBoolean()) return "a boolean";
    if (value.isInteger()) return "an integer";
    if (value.isNumeric()) return "a number";
    return "an unknown value";
}

bool is_integer(const Poco::Dynamic::Var& value) {
    if (value.isBoolean()) return false;
    if (value.isInteger()) return true;
    if (!value.isNumeric()) return false;
    // Faktory passes numbers through float64: 25.0 is still the integer 25.
    const double number = value.convert<double>();
    return std::isfinite(number) && std::floor(number) == number && std::fabs(number) <= 2147483647.0;
}

// The problems with one object's typed fields, as "field "x" is a string, expected an integer".
class FieldCheck {
public:
    FieldCheck(const Poco::JSON::Object& object, std::string prefix, std::vector<std::string>& problems)
        : object_(object), prefix_(std::move(prefix)), problems_(problems) {}

    // Absent or null is fine for optional fields.
    void optional_string(const std::string& key) { check(key, false, [](const auto& v) { return v.isString(); }, "a string"); }
    void optional_integer(const std::string& key) { check(key, false, is_integer, "an integer"); }
    void optional_object(const std::string& key) {
        check(key, false, [](const auto& v) { return v.type() == typeid(Poco::JSON::Object::Ptr); }, "an object");
    }
    void required_array(const std::string& key) {
        check(key, true, [](const auto& v) { return v.type() == typeid(Poco::JSON::Array::Ptr); }, "an array");
    }
    // A non-empty string; returns it when it is one.
    std::optional<std::string> required_text(const std::string& key) {
        if (!check(key, true, [](const auto& v) { return v.isString(); }, "a string")) return std::nullopt;
        auto text = json::field(object_, key)->extract<std::string>();
        if (text.empty()) {
            problems_.push_back("field " + prefix_ + "\"" + key + "\" is empty");
            return std::nullopt;
        }
        return text;
    }

private:
    template <typename Test>
    bool check(const std::string& key, bool required, Test test, const char* expected) {
        const Poco::Dynamic::Var* found = json::field(object_, key);
        if (!found || found->isEmpty()) {
            if (required) problems_.push_back("has no " + prefix_ + "\"" + key + "\"");
            return false;
        }
        const auto& value = *found;
        if (test(value)) return true;
        problems_.push_back("field " + prefix_ + "\"" + key + "\" is " + json_type(value) + ", expected " + expected);
        return false;
    }

    const Poco::JSON::Object& object_;
    std::string prefix_;
    std::vector<std::string>& problems_;
};

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
    return out;
}

} // namespace

std::optional<std::string> scan_top_level_string(std::string_view text, std::string_view key) {
    return PrefixScanner(text).top_level_string(key);
}

namespace {

FetchedJob check_payload(std::string payload_text, std::uint64_t full_size, std::uint64_t size_limit) {
    FetchedJob out;
    out.payload = std::move(payload_text);
    const std::string_view payload = out.payload;
    auto scanned_jid = [&] { return scan_top_level_string(payload, "jid").value_or(""); };
    if (full_size > size_limit) {
        out.jid = scanned_jid();
        out.problem = "the job is " + std::to_string(full_size) + " bytes, over the host's limit of " +
                      std::to_string(size_limit) + " bytes";
        return out;
    }
    Poco::Dynamic::Var value;
    try {
        value = json::parse(out.payload);
    } catch (const Poco::Exception& e) {
        out.jid = scanned_jid();
        out.problem = "the job is not valid JSON: " + e.displayText();
        return out;
    }
    const auto object = json::as_object(value);
    if (!object) {
        out.problem = std::string("the job is ") + json_type(value) + ", not a JSON object";
        return out;
    }
    std::vector<std::string> problems;
    FieldCheck fields(*object, "", problems);
    out.jid = fields.required_text("jid").value_or("");
    fields.required_text("jobtype");
    fields.required_array("args");
    for (const char* key : {"queue", "at", "created_at", "enqueued_at"}) fields.optional_string(key);
    for (const char* key : {"retry", "reserve_for", "backtrace"}) fields.optional_integer(key);
    fields.optional_object("custom");
    fields.optional_object("failure");
    if (const auto failure = object->getObject("failure")) {
        FieldCheck failure_fields(*failure, "failure.", problems);
        failure_fields.optional_integer("retry_count");
    }
    if (!problems.empty()) {
        out.problem = "the job " + joined(problems);  // "the job has no "jid"; field "args" is ..."
        return out;
    }
    out.job.emplace(object);
    return out;
}

} // namespace

FetchedJob check_fetched_job(std::string payload, std::uint64_t full_size, std::uint64_t size_limit) {
    auto out = check_payload(std::move(payload), full_size, size_limit);
    // Only a malformed job is ever quoted in a log line: a well-formed one is not escaped for nothing.
    if (!out.well_formed()) out.excerpt = resp::escape_excerpt(out.payload, 200);
    return out;
}

} // namespace faktory_host::protocol
