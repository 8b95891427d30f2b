// RESP reader and encoders: every value type, and garbage that must become a
// ProtocolError quoting the bytes rather than a crash, hang or huge allocation.
#include <boost/test/unit_test.hpp>

#include <string>

#include "protocol/errors.hpp"
#include "protocol/resp.hpp"

using namespace faktory_host::protocol;

namespace {

resp::Value read_one(const std::string& bytes, resp::ReaderLimits limits = {}, std::size_t chunk = 0) {
    resp::StringSource source(bytes, chunk);
    resp::RespReader reader(source, limits);
    return reader.read();
}

// The ProtocolError message for `bytes`; fails the test if none is thrown.
std::string error_for(const std::string& bytes, resp::ReaderLimits limits = {}) {
    try {
        read_one(bytes, limits);
    } catch (const ProtocolError& e) {
        return e.what();
    }
    BOOST_FAIL("no ProtocolError for input");
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(resp_reader)

BOOST_AUTO_TEST_CASE(reads_simple_string_error_and_integer) {
    auto v = read_one("+HI {\"v\":2}\r\n");
    BOOST_TEST((v.type == resp::Type::simple_string));
    BOOST_TEST(v.text == "HI {\"v\":2}");
    v = read_one("-ERR unknown command X\r\n");
    BOOST_TEST((v.type == resp::Type::error));
    BOOST_TEST(v.text == "ERR unknown command X");
    v = read_one(":-9223372036854775808\r\n");
    BOOST_TEST((v.type == resp::Type::integer));
    BOOST_TEST(v.integer == INT64_MIN);
}

BOOST_AUTO_TEST_CASE(reads_bulk_strings_including_empty_binary_and_null) {
    auto v = read_one("$5\r\nhe\r\no\r\n");
    BOOST_TEST((v.type == resp::Type::bulk_string));
    BOOST_TEST(v.text == "he\r\no");
    v = read_one(std::string("$3\r\na\0b\r\n", 9));
    BOOST_TEST(v.text == std::string("a\0b", 3));
    v = read_one("$0\r\n\r\n");
    BOOST_TEST((v.type == resp::Type::bulk_string));
    BOOST_TEST(v.text.empty());
    v = read_one("$-1\r\n");
    BOOST_TEST((v.type == resp::Type::null_bulk));
    BOOST_TEST(v.is_null());
}

BOOST_AUTO_TEST_CASE(reads_nested_arrays_and_null_array) {
    auto v = read_one("*3\r\n:1\r\n*1\r\n+x\r\n$-1\r\n");
    BOOST_TEST_REQUIRE((v.type == resp::Type::array));
    BOOST_TEST_REQUIRE(v.elements.size() == 3u);
    BOOST_TEST(v.elements[0].integer == 1);
    BOOST_TEST(v.elements[1].elements.at(0).text == "x");
    BOOST_TEST(v.elements[2].is_null());
    BOOST_TEST(read_one("*-1\r\n").is_null());
    BOOST_TEST(read_one("*0\r\n").elements.empty());
}

BOOST_AUTO_TEST_CASE(reads_values_split_across_one_byte_reads) {
    resp::StringSource source("+OK\r\n$11\r\nhello world\r\n:42\r\n", 1);
    resp::RespReader reader(source);
    BOOST_TEST(reader.read().text == "OK");
    BOOST_TEST(reader.read().text == "hello world");
    BOOST_TEST(reader.read().integer == 42);
}

BOOST_AUTO_TEST_CASE(rejects_unknown_type_byte_quoting_it_escaped) {
    const auto message = error_for("HTTP/1.1 400 Bad\x01\r\n");
    BOOST_TEST(message.find("unknown RESP type") != std::string::npos);
    BOOST_TEST(message.find("HTTP/1.1 400 Bad\\x01") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(rejects_line_without_crlf) {
    const auto message = error_for("+OK\n");
    BOOST_TEST(message.find("CRLF") != std::string::npos);
    BOOST_TEST(message.find("+OK\\n") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(rejects_truncated_input_of_every_kind) {
    for (const std::string input : {"", "+OK", "+OK\r", "$5\r\nab", "$5\r\nhello", "*2\r\n:1\r\n", ":1"}) {
        const auto message = error_for(input);
        BOOST_TEST(message.find("truncated") != std::string::npos, input << " -> " << message);
    }
}

BOOST_AUTO_TEST_CASE(rejects_bulk_string_with_wrong_terminator) {
    const auto message = error_for("$2\r\nabcd\r\n");
    BOOST_TEST(message.find("not terminated by CRLF") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(rejects_non_numeric_and_overflowing_integers_and_lengths) {
    for (const std::string input : {":abc\r\n", ":\r\n", ":12x\r\n", ":+5\r\n", ":99999999999999999999\r\n",
                                    "$x\r\n", "$\r\n", "*1.5\r\n", "$ 3\r\nabc\r\n"}) {
        const auto message = error_for(input);
        BOOST_TEST(message.find("invalid") != std::string::npos, input << " -> " << message);
    }
}

BOOST_AUTO_TEST_CASE(rejects_negative_lengths_other_than_null) {
    BOOST_TEST(error_for("$-2\r\n").find("negative bulk") != std::string::npos);
    BOOST_TEST(error_for("*-5\r\n").find("negative array") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_oversized_bulk_before_allocating_it) {
    // 2^62 bytes: only passes if the length is checked before any allocation.
    BOOST_TEST(error_for("$4611686018427387904\r\n").find("larger than") != std::string::npos);
    resp::ReaderLimits small;
    small.max_bulk = 4;
    small.max_bulk_skipped = 4;
    BOOST_TEST(error_for("$5\r\nhello\r\n", small).find("larger than the 4 byte limit") != std::string::npos);
    BOOST_TEST(read_one("$4\r\nhell\r\n", small).text == "hell");
}

BOOST_AUTO_TEST_CASE(reads_a_bulk_over_the_kept_limit_to_its_end_keeping_its_head) {
    resp::ReaderLimits small;
    small.max_bulk = 4;
    small.max_bulk_skipped = 100000;
    const std::string big(50000, 'x');
    resp::StringSource source("$50000\r\nhead" + big.substr(4) + "\r\n+NEXT\r\n", 7);
    resp::RespReader reader(source, small);
    const auto oversized = reader.read();
    BOOST_TEST((oversized.type == resp::Type::bulk_string));
    BOOST_TEST(oversized.oversized == 50000u);
    BOOST_TEST(oversized.text == "head");
    BOOST_TEST(reader.read().text == "NEXT");  // the stream is still in step
    BOOST_TEST(error_for("$6\r\nhello!XX", small).find("not terminated by CRLF") != std::string::npos);
    BOOST_TEST(error_for("$6\r\nhel", small).find("truncated") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_overlong_line_with_a_short_excerpt) {
    resp::ReaderLimits limits;
    limits.max_line = 100;
    const auto message = error_for("+" + std::string(10000, 'a'), limits);
    BOOST_TEST(message.find("longer than 100") != std::string::npos, message);
    BOOST_TEST(message.find("...") != std::string::npos);
    BOOST_TEST(message.size() < 300u);
}

BOOST_AUTO_TEST_CASE(rejects_huge_array_length_and_deep_nesting) {
    BOOST_TEST(error_for("*4611686018427387904\r\n").find("element limit") != std::string::npos);
    std::string deep;
    for (int i = 0; i < 100000; ++i) deep += "*1\r\n";
    BOOST_TEST(error_for(deep).find("nested deeper than 16") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reads_command_lines_with_lf_or_crlf_and_reports_clean_end) {
    resp::StringSource source("PUSH {}\r\nEND\nFETCH", 2);
    resp::RespReader reader(source);
    BOOST_TEST(reader.read_command_line().value() == "PUSH {}");
    BOOST_TEST(reader.read_command_line().value() == "END");
    BOOST_CHECK_THROW(reader.read_command_line(), ProtocolError);  // "FETCH" without a newline
    resp::StringSource empty("");
    resp::RespReader at_end(empty);
    BOOST_TEST(!at_end.read_command_line().has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(resp_encoders)

BOOST_AUTO_TEST_CASE(encode_each_type_with_crlf_framing) {
    BOOST_TEST(resp::simple_string("OK") == "+OK\r\n");
    BOOST_TEST(resp::error("ERR unknown command X") == "-ERR unknown command X\r\n");
    BOOST_TEST(resp::integer(-7) == ":-7\r\n");
    BOOST_TEST(resp::bulk_string("a\r\nb") == "$4\r\na\r\nb\r\n");
    BOOST_TEST(resp::bulk_string("") == "$0\r\n\r\n");
    BOOST_TEST(resp::null_bulk() == "$-1\r\n");
    BOOST_TEST(resp::array_header(2) == "*2\r\n");
}

BOOST_AUTO_TEST_CASE(line_breaks_cannot_break_simple_string_framing) {
    BOOST_TEST(resp::error("ERR bad\r\n+OK") == "-ERR bad  +OK\r\n");
}

BOOST_AUTO_TEST_CASE(encoded_values_read_back_identically) {
    const auto original = resp::Value::make_array(
        {resp::Value::simple("OK"), resp::Value::make_error("NOTUNIQUE x"), resp::Value::make_integer(5),
         resp::Value::bulk(std::string("\0\xff", 2)), resp::Value::null()});
    const auto copy = read_one(resp::encode(original));
    BOOST_TEST(resp::encode(copy) == resp::encode(original));
}

BOOST_AUTO_TEST_CASE(escape_excerpt_escapes_control_bytes_and_cuts_long_input) {
    BOOST_TEST(resp::escape_excerpt("a\r\n\x7f\"") == "a\\r\\n\\x7f\\\"");
    BOOST_TEST(resp::escape_excerpt(std::string(100, 'z')) == std::string(64, 'z') + "...");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {
// Hands out its bytes as a socket would, counting the reads.
class CountingSource : public resp::ByteSource {
public:
    explicit CountingSource(std::string bytes) : bytes_(std::move(bytes)) {}
    std::size_t read_some(char* out, std::size_t max) override {
        ++reads;
        const auto n = std::min(max, bytes_.size() - position_);
        bytes_.copy(out, n, position_);
        position_ += n;
        return n;
    }
    int reads = 0;

private:
    std::string bytes_;
    std::size_t position_ = 0;
};
} // namespace

BOOST_AUTO_TEST_CASE(one_read_brings_several_replies_and_the_buffer_is_reused_across_them) {
    // Replies to an ACK, a FETCH and another ACK arriving together: one read, three values.
    const std::string job = R"({"jid":"j1","jobtype":"Noop","args":[]})";
    CountingSource source("+OK\r\n$" + std::to_string(job.size()) + "\r\n" + job + "\r\n+OK\r\n");
    resp::RespReader reader(source);
    BOOST_TEST(reader.read().text == "OK");
    BOOST_TEST(reader.read().text == job);
    BOOST_TEST(reader.read().text == "OK");
    BOOST_TEST(source.reads == 1);
    // Later replies land in the same buffer after the consumed ones; stale bytes past the end are never read.
    CountingSource more("+" + std::string(100, 'a') + "\r\n+OK\r\n");
    resp::RespReader second(more, {});
    BOOST_TEST(second.read().text == std::string(100, 'a'));
    BOOST_TEST(second.read().text == "OK");
    BOOST_CHECK_THROW(second.read(), ProtocolError);  // end of stream: no leftover bytes taken for a reply
}

BOOST_AUTO_TEST_CASE(a_reply_split_across_reads_after_a_partly_consumed_buffer_is_read_whole) {
    // Chunks of 7 bytes: each value starts mid-buffer and ends in a later read, so the unread tail moves to the front.
    resp::StringSource source("+first\r\n$11\r\nhello world\r\n:42\r\n+last\r\n", 7);
    resp::RespReader reader(source);
    BOOST_TEST(reader.read().text == "first");
    BOOST_TEST(reader.read().text == "hello world");
    BOOST_TEST(reader.read().integer == 42);
    BOOST_TEST(reader.read().text == "last");
}
