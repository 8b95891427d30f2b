// faktory/json.hpp: the little JSON a plugin needs and nothing more, header-only
// C++17 with no dependencies: faktory::Value, a read-only parsed value (what
// arrays and objects among job arguments and config values come back as), and
// faktory::Json, a value written out as JSON text (what job.push() takes).
// Not a general JSON library: no mutation, no pretty printing.
#ifndef FAKTORY_JSON_HPP
#define FAKTORY_JSON_HPP

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace faktory {

// Text that is not JSON; what() says where (byte offset) and why.
class JsonError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// One parsed JSON value. Read-only: build it with Value::parse(). Integers that
// fit int64 are `integer` (also readable as a double); other numbers `number`.
class Value {
public:
    enum class Type { null, boolean, integer, number, string, array, object };
    using Members = std::vector<std::pair<std::string, Value>>;  // in document order

    Value() = default;
    static Value parse(std::string_view json);

    Type type() const noexcept { return type_; }
    bool is_null() const noexcept { return type_ == Type::null; }
    bool is_bool() const noexcept { return type_ == Type::boolean; }
    bool is_integer() const noexcept { return type_ == Type::integer; }
    bool is_number() const noexcept { return type_ == Type::integer || type_ == Type::number; }
    bool is_string() const noexcept { return type_ == Type::string; }
    bool is_array() const noexcept { return type_ == Type::array; }
    bool is_object() const noexcept { return type_ == Type::object; }

    // Each throws std::logic_error when the value has another type.
    bool as_bool() const { return check(Type::boolean), boolean_; }
    std::int64_t as_int() const { return check(Type::integer), integer_; }
    double as_double() const {
        if (type_ == Type::integer) return static_cast<double>(integer_);
        return check(Type::number), number_;
    }
    const std::string& as_string() const { return check(Type::string), text_; }
    const std::vector<Value>& items() const { return check(Type::array), items_; }
    const Members& members() const { return check(Type::object), members_; }

    // Array size or object member count; 0 for scalars.
    std::size_t size() const noexcept {
        return type_ == Type::array ? items_.size() : type_ == Type::object ? members_.size() : 0;
    }
    // Array element; std::out_of_range past the end.
    const Value& operator[](std::size_t index) const {
        const auto& all = items();
        if (index >= all.size()) throw std::out_of_range("JSON array index " + std::to_string(index) + " past the end");
        return all[index];
    }
    // Object member or nullptr (first one wins when a key repeats).
    const Value* find(std::string_view key) const {
        for (const auto& member : members())
            if (member.first == key) return &member.second;
        return nullptr;
    }
    // Object member; std::out_of_range naming the key when absent.
    const Value& operator[](std::string_view key) const {
        if (const Value* found = find(key)) return *found;
        throw std::out_of_range("JSON object has no key \"" + std::string(key) + "\"");
    }

    static const char* type_name(Type type) noexcept {
        switch (type) {
        case Type::null: return "null";
        case Type::boolean: return "boolean";
        case Type::integer: return "integer";
        case Type::number: return "number";
        case Type::string: return "string";
        case Type::array: return "array";
        case Type::object: return "object";
        }
        return "unknown";
    }

    // Builders for the C++ wrapper (scalars the host already decoded).
    static Value of_bool(bool b) { Value v; v.type_ = Type::boolean; v.boolean_ = b; return v; }
    static Value of_int(std::int64_t i) { Value v; v.type_ = Type::integer; v.integer_ = i; return v; }
    static Value of_double(double d) { Value v; v.type_ = Type::number; v.number_ = d; return v; }
    static Value of_string(std::string s) { Value v; v.type_ = Type::string; v.text_ = std::move(s); return v; }

private:
    friend class JsonReader;
    void check(Type wanted) const {
        if (type_ != wanted)
            throw std::logic_error(std::string("JSON value is ") + type_name(type_) + ", not " + type_name(wanted));
    }

    Type type_ = Type::null;
    bool boolean_ = false;
    std::int64_t integer_ = 0;
    double number_ = 0;
    std::string text_;
    std::vector<Value> items_;
    Members members_;
};

// The parser behind Value::parse (RFC 8259; nesting limited so hostile input cannot overflow the stack).
class JsonReader {
public:
    explicit JsonReader(std::string_view text) : text_(text) {}

    Value document() {
        Value value = parse_value(0);
        skip_space();
        if (at_ < text_.size()) fail("unexpected text after the value");
        return value;
    }

private:
    static constexpr int max_depth = 200;

    [[noreturn]] void fail(const std::string& why) const {
        throw JsonError("invalid JSON at byte " + std::to_string(at_) + ": " + why);
    }
    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
            ++at_;
    }
    bool take(char c) {
        skip_space();
        if (at_ < text_.size() && text_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!take(c)) fail(std::string("expected '") + c + "'");
    }
    bool take_word(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    Value parse_value(int depth) {
        if (depth > max_depth) fail("nested deeper than " + std::to_string(max_depth));
        skip_space();
        if (at_ >= text_.size()) fail("unexpected end of text");
        Value v;
        const char c = text_[at_];
        if (c == '{') {
            ++at_;
            v.type_ = Value::Type::object;
            if (take('}')) return v;
            do {
                skip_space();
                if (at_ >= text_.size() || text_[at_] != '"') fail("expected a string key");
                std::string key = parse_string();
                expect(':');
                v.members_.emplace_back(std::move(key), parse_value(depth + 1));
            } while (take(','));
            expect('}');
        } else if (c == '[') {
            ++at_;
            v.type_ = Value::Type::array;
            if (take(']')) return v;
            do v.items_.push_back(parse_value(depth + 1));
            while (take(','));
            expect(']');
        } else if (c == '"') {
            v.type_ = Value::Type::string;
            v.text_ = parse_string();
        } else if (take_word("true") || take_word("false")) {
            v.type_ = Value::Type::boolean;
            v.boolean_ = text_[at_ - 1] == 'e' && text_[at_ - 2] == 'u';
        } else if (take_word("null")) {
            v.type_ = Value::Type::null;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            parse_number(v);
        } else {
            fail(std::string("unexpected character '") + c + "'");
        }
        return v;
    }

    void parse_number(Value& v) {
        const std::size_t start = at_;
        if (text_[at_] == '-') ++at_;
        auto digits = [&] {
            const std::size_t from = at_;
            while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
            if (at_ == from) fail("a number needs digits");
        };
        digits();
        bool whole = true;
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            digits();
            whole = false;
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            digits();
            whole = false;
        }
        const char* first = text_.data() + start;
        const char* last = text_.data() + at_;
        if (whole) {
            std::int64_t integer = 0;
            const auto [end, error] = std::from_chars(first, last, integer);
            if (error == std::errc() && end == last) {
                v.type_ = Value::Type::integer;
                v.integer_ = integer;
                return;
            }
        }
        // Fractions, exponents and integers beyond int64 are doubles.
        v.type_ = Value::Type::number;
        v.number_ = std::strtod(std::string(first, last).c_str(), nullptr);
    }

    unsigned hex4() {
        if (at_ + 4 > text_.size()) fail("\\u needs four hex digits");
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = text_[at_++];
            code <<= 4;
            if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
            else fail("\\u needs four hex digits");
        }
        return code;
    }

    static void append_utf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
    }

    std::string parse_string() {
        ++at_;  // the opening quote
        std::string out;
        while (true) {
            if (at_ >= text_.size()) fail("unterminated string");
            const char c = text_[at_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_ >= text_.size()) fail("unterminated escape");
            const char e = text_[at_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned code = hex4();
                if (code >= 0xD800 && code < 0xDC00 && text_.substr(at_, 2) == "\\u") {
                    at_ += 2;
                    const unsigned low = hex4();
                    if (low < 0xDC00 || low >= 0xE000) fail("unpaired surrogate in \\u escape");
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                append_utf8(out, code);
                break;
            }
            default: fail(std::string("unknown escape \\") + e);
            }
        }
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

inline Value Value::parse(std::string_view json) { return JsonReader(json).document(); }

namespace detail {

// `text` as a JSON string literal, quotes included; control characters escaped.
inline void append_json_string(std::string& out, std::string_view text) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out += hex[(c >> 4) & 0xF];
                out += hex[c & 0xF];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

inline void append_json(std::string& out, const Value& value) {
    switch (value.type()) {
    case Value::Type::null: out += "null"; break;
    case Value::Type::boolean: out += value.as_bool() ? "true" : "false"; break;
    case Value::Type::integer: out += std::to_string(value.as_int()); break;
    case Value::Type::number: {
        char buffer[32];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value.as_double());
        out.append(buffer, result.ptr);
        break;
    }
    case Value::Type::string: append_json_string(out, value.as_string()); break;
    case Value::Type::array: {
        out += '[';
        bool first = true;
        for (const auto& item : value.items()) {
            if (!first) out += ',';
            first = false;
            append_json(out, item);
        }
        out += ']';
        break;
    }
    case Value::Type::object: {
        out += '{';
        bool first = true;
        for (const auto& [key, member] : value.members()) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, key);
            out += ':';
            append_json(out, member);
        }
        out += '}';
        break;
    }
    }
}

template <typename T> struct is_optional : std::false_type {};
template <typename T> struct is_optional<std::optional<T>> : std::true_type {};
template <typename T> struct is_vector : std::false_type {};
template <typename T, typename A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <typename T> struct is_string_map : std::false_type {};
template <typename T, typename C, typename A> struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

} // namespace detail

// A C++ value written as JSON text: numbers, bools, strings (escaped), nullptr,
// std::optional, std::vector, std::map<std::string, T>, Value, and nested
// braces for arrays: Json{1, "two", Json{3.5, true}}.
class Json {
public:
    Json(std::nullptr_t) : text_("null") {}
    Json(bool b) : text_(b ? "true" : "false") {}
    Json(const char* s) { detail::append_json_string(text_, s ? std::string_view(s) : std::string_view()); }
    Json(std::string_view s) { detail::append_json_string(text_, s); }
    Json(const std::string& s) { detail::append_json_string(text_, s); }
    Json(const Value& v) { detail::append_json(text_, v); }
    template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                               !std::is_same_v<T, char>, int> = 0>
    Json(T n) : text_(std::to_string(n)) {}
    template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0> Json(T d) {
        if (!std::isfinite(static_cast<double>(d))) throw std::invalid_argument("JSON has no NaN or infinity");
        char buffer[32];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<double>(d));
        text_.assign(buffer, result.ptr);
    }
    template <typename T> Json(const std::optional<T>& o) : text_(o ? Json(*o).text_ : std::string("null")) {}
    template <typename T, typename A> Json(const std::vector<T, A>& items) {
        text_ += '[';
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) text_ += ',';
            text_ += Json(items[i]).text_;
        }
        text_ += ']';
    }
    template <typename T, typename C, typename A> Json(const std::map<std::string, T, C, A>& members) {
        text_ += '{';
        bool first = true;
        for (const auto& [key, member] : members) {
            if (!first) text_ += ',';
            first = false;
            detail::append_json_string(text_, key);
            text_ += ':';
            text_ += Json(member).text_;
        }
        text_ += '}';
    }
    // A JSON array of the listed values.
    Json(std::initializer_list<Json> items) {
        text_ += '[';
        bool first = true;
        for (const auto& item : items) {
            if (!first) text_ += ',';
            first = false;
            text_ += item.text_;
        }
        text_ += ']';
    }

    // Text that already is JSON, passed through unchecked.
    static Json raw(std::string json) {
        Json j(nullptr);
        j.text_ = std::move(json);
        return j;
    }

    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
};

} // namespace faktory

#endif // FAKTORY_JSON_HPP
