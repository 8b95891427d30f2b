// RESP (Redis serialization protocol) as Faktory uses it: a value type, a
// bounded reader over any byte source, and the encoders both the client and
// the embedded dev server frame their replies with.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faktory_host::protocol::resp {

enum class Type { simple_string, error, integer, bulk_string, null_bulk, array, null_array };
const char* to_string(Type);

struct Value {
    Type type = Type::null_bulk;
    std::string text;             // simple_string, error (without '-'), bulk_string
    std::int64_t integer = 0;     // integer
    std::vector<Value> elements;  // array
    // A bulk string longer than ReaderLimits::max_bulk that was read to its end
    // (so the stream stays in step) but not kept: its full length. `text` holds
    // its first max_bulk bytes. 0 for every value kept whole.
    std::uint64_t oversized = 0;

    bool is_null() const { return type == Type::null_bulk || type == Type::null_array; }
    // simple_string or bulk_string: the two forms Faktory uses for text/JSON replies.
    bool is_text() const { return type == Type::simple_string || type == Type::bulk_string; }

    static Value simple(std::string text);
    static Value make_error(std::string text);
    static Value make_integer(std::int64_t n);
    static Value bulk(std::string bytes);
    static Value null();
    static Value make_array(std::vector<Value> elements);
};

// Where the reader gets bytes from: a socket, or a string in unit tests.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Reads at least one and at most `max` bytes into `out` and returns the
    // count; returns 0 only at end of stream. May throw (e.g. ConnectionError).
    virtual std::size_t read_some(char* out, std::size_t max) = 0;
};

// A ByteSource over bytes held in memory; `chunk` > 0 hands them out at most
// that many at a time, to exercise reads split at awkward places.
class StringSource : public ByteSource {
public:
    explicit StringSource(std::string bytes, std::size_t chunk = 0);
    std::size_t read_some(char* out, std::size_t max) override;

private:
    std::string bytes_;
    std::size_t position_ = 0;
    std::size_t chunk_;
};

// What the reader is willing to accept, so a hostile peer cannot make it
// allocate without bound or recurse without bound.
struct ReaderLimits {
    std::size_t max_line = 64 * 1024;          // any header/simple line, without CRLF
    std::size_t max_bulk = 16 * 1024 * 1024;   // one bulk string payload kept in memory
    // A bulk string over max_bulk but within this is read to its end and
    // dropped (Value::oversized); a longer one is refused unread (ProtocolError).
    std::uint64_t max_bulk_skipped = 256ull * 1024 * 1024;
    std::size_t max_array_length = 1024 * 1024;
    std::size_t max_depth = 16;                // nesting of arrays
};

// Reads RESP values from a ByteSource, buffering internally; keep one reader
// per stream for its whole life so buffered bytes are not lost. Malformed,
// truncated or oversized input raises ProtocolError quoting the bytes.
class RespReader {
public:
    explicit RespReader(ByteSource& source, ReaderLimits limits = {});

    // One complete value. End of stream anywhere -> ProtocolError ("truncated"),
    // unless the source itself throws first.
    Value read();

    // One newline-terminated text line, for servers reading commands: accepts
    // LF or CRLF, returns it without the terminator; std::nullopt on a clean end
    // of stream before any byte of the line. Longer than max_line -> ProtocolError.
    std::optional<std::string> read_command_line();

    const ReaderLimits& limits() const { return limits_; }

private:
    Value read_value(std::size_t depth);
    std::string read_crlf_line();
    Value read_oversized_bulk(const std::string& line, std::uint64_t length);
    std::int64_t parse_integer(const std::string& line, std::string_view what) const;
    bool fill();  // false at end of stream
    void consume(std::size_t n);
    std::size_t buffered() const { return end_ - start_; }
    [[noreturn]] void fail(const std::string& what, std::string_view bytes) const;

    ByteSource& source_;
    ReaderLimits limits_;
    std::string buffer_;
    std::size_t start_ = 0;  // first unconsumed byte in buffer_
    std::size_t end_ = 0;    // one past the last byte received; buffer_ may be larger
};

// Renders bytes for an error message: \r \n \t \\ and \xNN for anything not
// printable ASCII, cut after `max_chars` source bytes with "..." appended.
std::string escape_excerpt(std::string_view bytes, std::size_t max_chars = 64);

// Encoders, CRLF-framed. Simple strings and errors cannot hold CR or LF, so
// any are replaced by spaces rather than breaking the framing.
std::string simple_string(std::string_view text);
std::string error(std::string_view text);  // e.g. "ERR unknown command X"
std::string integer(std::int64_t n);
std::string bulk_string(std::string_view bytes);
std::string null_bulk();
std::string array_header(std::size_t count);  // follow with `count` encoded values
std::string encode(const Value& value);

} // namespace faktory_host::protocol::resp
