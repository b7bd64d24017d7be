#pragma once
// Where an upload's body bytes come from, once its header has been read. A body framed by
// Content-Length (what browsers and curl send) is read from the stream straight into the
// caller's buffer, after the bytes the header read brought along: no copy through Beast's
// buffer. A chunked body goes through Beast's parser, which removes the chunk framing. Template
// over the stream type (plain TCP or TLS), like connection.hpp.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

namespace supportdrop::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

template <class Stream>
class BodySource {
public:
    // `buffer` holds what was read past the header; `parser` has read the header. A body larger
    // than `body_limit` fails with bhttp::error::body_limit (a declared one at the first read).
    BodySource(Stream& stream, beast::flat_buffer& buffer, bhttp::request_parser<bhttp::buffer_body>& parser,
               std::uint64_t body_limit)
        : m_stream(&stream), m_buffer(&buffer), m_parser(&parser) {
        if (parser.chunked()) {
            parser.body_limit(body_limit);
            // Beast sizes each socket read by the free capacity of `buffer` (at least 512 bytes):
            // after the header it is small, so without this the body would arrive in 512-byte reads.
            buffer.reserve(k_chunked_read_size);
        } else {
            m_remaining = parser.content_length().value_or(0);
            m_too_large = *m_remaining > body_limit;
        }
    }

    // Whether the whole body has been read.
    bool done() const { return m_remaining ? *m_remaining == 0 : m_parser->is_done(); }

    // Reads at least one body byte into `into` (not empty) unless the body is done, and returns how
    // many; or the stream's error (a body that ends early is bhttp::error::partial_message).
    asio::awaitable<std::pair<beast::error_code, std::size_t>> read_some(std::span<std::uint8_t> into) {
        if (!m_remaining) {
            co_return co_await read_some_chunked(into);
        }
        if (m_too_large) {
            co_return std::pair{beast::error_code(bhttp::error::body_limit), std::size_t{0}};
        }
        into = into.first(static_cast<std::size_t>(std::min<std::uint64_t>(into.size(), *m_remaining)));
        std::size_t n = 0;
        beast::error_code error;
        if (m_buffer->size() > 0) {
            n = asio::buffer_copy(asio::buffer(into.data(), into.size()), m_buffer->data());
            m_buffer->consume(n);
        } else if (!into.empty()) {
            n = co_await m_stream->async_read_some(asio::buffer(into.data(), into.size()),
                                                   asio::redirect_error(asio::use_awaitable, error));
            if (error == asio::error::eof) {
                error = bhttp::error::partial_message;
            }
        }
        *m_remaining -= n;
        co_return std::pair{error, n};
    }

private:
    static constexpr std::size_t k_chunked_read_size = std::size_t{128} * 1024;

    asio::awaitable<std::pair<beast::error_code, std::size_t>> read_some_chunked(std::span<std::uint8_t> into) {
        auto& body = m_parser->get().body();
        body.data = into.data();
        body.size = into.size();
        beast::error_code error;
        co_await bhttp::async_read_some(*m_stream, *m_buffer, *m_parser,
                                        asio::redirect_error(asio::use_awaitable, error));
        if (error == bhttp::error::need_buffer) {
            error = {};
        }
        co_return std::pair{error, into.size() - body.size};
    }

    Stream* m_stream;
    beast::flat_buffer* m_buffer;
    bhttp::request_parser<bhttp::buffer_body>* m_parser;
    std::optional<std::uint64_t> m_remaining; // Content-Length framing: body bytes still to come
    bool m_too_large = false;
};

} // namespace supportdrop::http
