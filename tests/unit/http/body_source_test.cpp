#include "http/body_source.hpp"

#include <boost/beast/_experimental/test/stream.hpp>
#include <gtest/gtest.h>

namespace supportdrop::http {
namespace {

using TestStream = beast::test::stream;

struct ReadOutcome {
    std::string body;
    beast::error_code error;
    std::string left_in_buffer; // what the next request would start from
};

// Reads the header of `wire`, then the body through a BodySource in reads of at most
// `read_size` bytes into a buffer of `into_size` bytes, until it is done or fails.
ReadOutcome read_body(std::string_view wire, std::uint64_t body_limit, std::size_t read_size = 7,
                      std::size_t into_size = 5) {
    asio::io_context io;
    TestStream stream(io, wire);
    stream.read_size(read_size);
    stream.close_remote();
    ReadOutcome outcome;
    beast::flat_buffer buffer;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            bhttp::request_parser<bhttp::buffer_body> parser;
            beast::error_code error;
            co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
            if (error) {
                outcome.error = error;
                co_return;
            }
            BodySource<TestStream> body(stream, buffer, parser, body_limit);
            std::vector<std::uint8_t> into(into_size);
            while (!body.done()) {
                auto [read_error, n] = co_await body.read_some(into);
                outcome.body.append(reinterpret_cast<const char*>(into.data()), n);
                if (read_error) {
                    outcome.error = read_error;
                    break;
                }
            }
            outcome.left_in_buffer = beast::buffers_to_string(buffer.data());
        },
        asio::detached);
    io.run();
    return outcome;
}

TEST(BodySource, ReadsAContentLengthBodyAndNotOneByteMore) {
    const auto outcome = read_body("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\n"
                                   "abcdefghijklmnopqrstuvwxyzGET / HTTP/1.1\r\n\r\n",
                                   100);
    EXPECT_FALSE(outcome.error) << outcome.error.message();
    EXPECT_EQ(outcome.body, "abcdefghijklmnopqrstuvwxyz");
    // The header read took a few bytes past the header; none of the next request was consumed.
    EXPECT_TRUE(std::string_view("GET / HTTP/1.1\r\n\r\n").ends_with(outcome.left_in_buffer));
}

TEST(BodySource, ReadsABodyThatArrivedWithItsHeader) {
    const auto outcome = read_body("POST /upload HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", 100, 4096, 64);
    EXPECT_FALSE(outcome.error) << outcome.error.message();
    EXPECT_EQ(outcome.body, "0123456789");
}

TEST(BodySource, ABodyThatEndsEarlyIsAPartialMessage) {
    const auto outcome = read_body("POST /upload HTTP/1.1\r\nContent-Length: 30\r\n\r\nonly twenty bytes...", 100);
    EXPECT_EQ(outcome.error, bhttp::error::partial_message);
    EXPECT_EQ(outcome.body, "only twenty bytes...");
}

TEST(BodySource, ADeclaredLengthOverTheLimitFailsBeforeReading) {
    const auto outcome = read_body("POST /upload HTTP/1.1\r\nContent-Length: 101\r\n\r\n0123456789", 100);
    EXPECT_EQ(outcome.error, bhttp::error::body_limit);
    EXPECT_EQ(outcome.body, "");
}

TEST(BodySource, AChunkedBodyLosesItsFramingAndKeepsItsLimit) {
    const std::string_view chunked = "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     "a\r\n0123456789\r\n6\r\nabcdef\r\n0\r\n\r\n";
    const auto outcome = read_body(chunked, 100);
    EXPECT_FALSE(outcome.error) << outcome.error.message();
    EXPECT_EQ(outcome.body, "0123456789abcdef");
    EXPECT_EQ(read_body(chunked, 12).error, bhttp::error::body_limit);
}

} // namespace
} // namespace supportdrop::http
