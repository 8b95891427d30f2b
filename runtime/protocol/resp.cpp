// RESP reader and encoders; see resp.hpp for the limits this enforces and why.
#include "protocol/resp.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "protocol/errors.hpp"

namespace faktory_host::protocol::resp {

const char* to_string(Type type) {
    switch (type) {
    case Type::simple_string: return "simple string";
    case Type::error: return "error";
    case Type::integer: return "integer";
    case Type::bulk_string: return "bulk string";
    case Type::null_bulk: return "null bulk string";
    case Type::array: return "array";
    case Type::null_array: return "null array";
    }
    return "unknown";
}

Value Value::simple(std::string text) {
    Value v;
    v.type = Type::simple_string;
    v.text = std::move(text);
    return v;
}

Value Value::make_error(std::string text) {
    Value v;
    v.type = Type::error;
    v.text = std::move(text);
    return v;
}

Value Value::make_integer(std::int64_t n) {
    Value v;
    v.type = Type::integer;
    v.integer = n;
    return v;
}

Value Value::bulk(std::string bytes) {
    Value v;
    v.type = Type::bulk_string;
    v.text = std::move(bytes);
    return v;
}

Value Value::null() { return Value{}; }

Value Value::make_array(std::vector<Value> elements) {
    Value v;
    v.type = Type::array;
    v.elements = std::move(elements);
    return v;
}

StringSource::StringSource(std::string bytes, std::size_t chunk) : bytes_(std::move(bytes)), chunk_(chunk) {}

std::size_t StringSource::read_some(char* out, std::size_t max) {
    std::size_t n = std::min(max, bytes_.size() - position_);
    if (chunk_ > 0) n = std::min(n, chunk_);
    std::memcpy(out, bytes_.data() + position_, n);
    position_ += n;
    return n;
}

namespace {
// Big enough to amortise syscalls, small enough that a short reply never
// makes us hold much memory.
constexpr std::size_t read_chunk = 16 * 1024;
} // namespace

RespReader::RespReader(ByteSource& source, ReaderLimits limits) : source_(source), limits_(limits) {}

Value RespReader::read() { return read_value(0); }

void RespReader::fail(const std::string& what, std::string_view bytes) const {
    throw ProtocolError("malformed RESP reply: " + what + ": \"" + escape_excerpt(bytes) + "\"");
}

bool RespReader::fill() {
    if (start_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
    }
    // The bytes past end_ are scratch space, never read: the buffer is grown
    // (and so zero-filled) only when too small, not on every read.
    if (buffer_.size() < end_ + read_chunk) buffer_.resize(end_ + read_chunk);
    const std::size_t n = source_.read_some(buffer_.data() + end_, read_chunk);
    end_ += n;
    return n > 0;
}

void RespReader::consume(std::size_t n) { start_ += n; }

std::string RespReader::read_crlf_line() {
    std::size_t scanned = 0;  // bytes already searched, so a slow peer is not quadratic
    while (true) {
        const char* begin = buffer_.data() + start_;
        const void* lf = std::memchr(begin + scanned, '\n', buffered() - scanned);
        if (lf != nullptr) {
            const std::size_t length = static_cast<const char*>(lf) - begin;
            const std::string_view raw(begin, length + 1);
            if (length > limits_.max_line + 1)
                fail("line longer than " + std::to_string(limits_.max_line) + " bytes", raw);
            if (length == 0 || begin[length - 1] != '\r') fail("line not terminated by CRLF", raw);
            std::string line(begin, length - 1);
            consume(length + 1);
            return line;
        }
        scanned = buffered();
        if (buffered() > limits_.max_line + 1)
            fail("line longer than " + std::to_string(limits_.max_line) + " bytes",
                 std::string_view(buffer_.data() + start_, buffered()));
        if (!fill()) fail("truncated reply (end of stream)", std::string_view(buffer_.data() + start_, buffered()));
    }
}

std::int64_t RespReader::parse_integer(const std::string& line, std::string_view what) const {
    std::int64_t value = 0;
    const char* first = line.data() + 1;
    const char* last = line.data() + line.size();
    const auto [end, ec] = std::from_chars(first, last, value);
    if (first == last || ec != std::errc{} || end != last) fail("invalid " + std::string(what), line);
    return value;
}

Value RespReader::read_value(std::size_t depth) {
    const std::string line = read_crlf_line();
    if (line.empty()) fail("empty line where a value was expected", "\r\n");
    switch (line[0]) {
    case '+': return Value::simple(line.substr(1));
    case '-': return Value::make_error(line.substr(1));
    case ':': return Value::make_integer(parse_integer(line, "integer"));
    case '$': {
        const std::int64_t length = parse_integer(line, "bulk string length");
        if (length == -1) return Value::null();
        if (length < 0) fail("negative bulk string length", line);
        if (static_cast<std::uint64_t>(length) > limits_.max_bulk) {
            if (static_cast<std::uint64_t>(length) > limits_.max_bulk_skipped)
                fail("bulk string larger than the " + std::to_string(limits_.max_bulk_skipped) + " byte limit", line);
            return read_oversized_bulk(line, static_cast<std::uint64_t>(length));
        }
        const auto size = static_cast<std::size_t>(length);
        while (buffered() < size + 2) {
            if (!fill())
                fail("truncated bulk string (end of stream)",
                     line + "\r\n" + std::string(buffer_.data() + start_, buffered()));
        }
        const char* payload = buffer_.data() + start_;
        if (payload[size] != '\r' || payload[size + 1] != '\n')
            fail("bulk string not terminated by CRLF after " + std::to_string(size) + " bytes",
                 std::string_view(payload + size, 2));
        Value v = Value::bulk(std::string(payload, size));
        consume(size + 2);
        return v;
    }
    case '*': {
        const std::int64_t length = parse_integer(line, "array length");
        if (length == -1) {
            Value v;
            v.type = Type::null_array;
            return v;
        }
        if (length < 0) fail("negative array length", line);
        if (static_cast<std::uint64_t>(length) > limits_.max_array_length)
            fail("array longer than the " + std::to_string(limits_.max_array_length) + " element limit", line);
        if (depth + 1 > limits_.max_depth)
            fail("arrays nested deeper than " + std::to_string(limits_.max_depth), line);
        std::vector<Value> elements;
        // Never trust the declared count for allocation; grow as elements arrive.
        elements.reserve(std::min<std::size_t>(static_cast<std::size_t>(length), 64));
        for (std::int64_t i = 0; i < length; ++i) elements.push_back(read_value(depth + 1));
        return Value::make_array(std::move(elements));
    }
    default: fail("unknown RESP type byte", line);
    }
}

Value RespReader::read_oversized_bulk(const std::string& line, std::uint64_t length) {
    // Keep the head (enough to name the job), discard the rest as it arrives:
    // memory stays bounded and the next reply starts where it should.
    std::string head;
    std::uint64_t left = length;
    while (left > 0) {
        if (buffered() == 0 && !fill())
            fail("truncated bulk string (end of stream)", line + "\r\n" + head.substr(0, 64));
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffered()));
        if (head.size() < limits_.max_bulk)
            head.append(buffer_.data() + start_, std::min(take, limits_.max_bulk - head.size()));
        consume(take);
        left -= take;
    }
    while (buffered() < 2) {
        if (!fill()) fail("truncated bulk string (end of stream)", line);
    }
    const char* end = buffer_.data() + start_;
    if (end[0] != '\r' || end[1] != '\n')
        fail("bulk string not terminated by CRLF after " + std::to_string(length) + " bytes", std::string_view(end, 2));
    consume(2);
    Value v = Value::bulk(std::move(head));
    v.oversized = length;
    return v;
}

std::optional<std::string> RespReader::read_command_line() {
    std::size_t scanned = 0;
    while (true) {
        const char* begin = buffer_.data() + start_;
        const void* lf = std::memchr(begin + scanned, '\n', buffered() - scanned);
        if (lf != nullptr) {
            std::size_t length = static_cast<const char*>(lf) - begin;
            if (length > limits_.max_line + 1)
                fail("line longer than " + std::to_string(limits_.max_line) + " bytes",
                     std::string_view(begin, length));
            std::string line(begin, length);
            consume(length + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            return line;
        }
        scanned = buffered();
        if (buffered() > limits_.max_line + 1)
            fail("line longer than " + std::to_string(limits_.max_line) + " bytes",
                 std::string_view(begin, buffered()));
        if (!fill()) {
            if (buffered() == 0) return std::nullopt;
            fail("truncated line (end of stream)", std::string_view(buffer_.data() + start_, buffered()));
        }
    }
}

std::string escape_excerpt(std::string_view bytes, std::size_t max_chars) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    const std::size_t n = std::min(bytes.size(), max_chars);
    out.reserve(n + 8);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        switch (c) {
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);
            } else {
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            }
        }
    }
    if (bytes.size() > max_chars) out += "...";
    return out;
}

namespace {
std::string one_line(char prefix, std::string_view text) {
    std::string out;
    out.reserve(text.size() + 3);
    out += prefix;
    for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
    out += "\r\n";
    return out;
}
} // namespace

std::string simple_string(std::string_view text) { return one_line('+', text); }
std::string error(std::string_view text) { return one_line('-', text); }
std::string integer(std::int64_t n) { return ":" + std::to_string(n) + "\r\n"; }

std::string bulk_string(std::string_view bytes) {
    std::string out = "$" + std::to_string(bytes.size()) + "\r\n";
    out.append(bytes);
    out += "\r\n";
    return out;
}

std::string null_bulk() { return "$-1\r\n"; }
std::string array_header(std::size_t count) { return "*" + std::to_string(count) + "\r\n"; }

std::string encode(const Value& value) {
    switch (value.type) {
    case Type::simple_string: return simple_string(value.text);
    case Type::error: return error(value.text);
    case Type::integer: return integer(value.integer);
    case Type::bulk_string: return bulk_string(value.text);
    case Type::null_bulk: return null_bulk();
    case Type::null_array: return "*-1\r\n";
    case Type::array: {
        std::string out = array_header(value.elements.size());
        for (const auto& element : value.elements) out += encode(element);
        return out;
    }
    }
    return null_bulk();
}

} // namespace faktory_host::protocol::resp
