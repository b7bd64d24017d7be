#pragma once
// A streaming multipart/form-data parser (RFC 7578 over RFC 2046): bytes in, part events out,
// with bounded memory whatever the input.

#include "util/errors.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace supportdrop::http {

using util::ErrorCode;
using util::Result;

enum class MultipartErrc {
    missing_boundary = 1, // no usable boundary parameter in Content-Type
    malformed,            // bytes that are not multipart/form-data
    part_header_too_large,
    truncated, // the body ended before the closing delimiter
};

const boost::system::error_category& multipart_category() noexcept;
inline ErrorCode make_error_code(MultipartErrc e) noexcept {
    return ErrorCode(static_cast<int>(e), multipart_category());
}

struct PartHeaders {
    std::string name;                    // the form field name
    std::optional<std::string> filename; // present for file fields (may be empty)
    std::string content_type;
};

// Where the bytes handed to MultipartHandler::on_part_data() live, and so how long they stay.
enum class PartBytes {
    fed,       // within the bytes of the running feed(): as long as the caller keeps those
    held_back, // the parser's copy of the few bytes at the end of an earlier feed() that might
               // have begun a delimiter and did not: only until the handler returns
};

// Receives the parts in order. Returning an error stops the parser with that error.
class MultipartHandler {
public:
    virtual ~MultipartHandler() = default;
    virtual Result<void> on_part_begin(const PartHeaders& headers) = 0;
    virtual Result<void> on_part_data(std::span<const std::uint8_t> data, PartBytes where) = 0;
    virtual Result<void> on_part_end() = 0;
};

// The boundary of a "multipart/form-data; boundary=..." header value, or
// MultipartErrc::missing_boundary (also for other media types).
Result<std::string> boundary_from_content_type(std::string_view content_type);

// Feeds body bytes in any slicing; part data is passed through without copying where possible.
// Not thread-safe.
class MultipartParser {
public:
    MultipartParser(std::string_view boundary, MultipartHandler& handler, std::size_t max_part_header_bytes = 8192);

    Result<void> feed(std::span<const std::uint8_t> data);
    // The body ended; fails with MultipartErrc::truncated unless the closing delimiter was seen.
    Result<void> finish();

private:
    enum class State { body, after_delimiter, headers, epilogue, failed };

    Result<void> feed_body(std::span<const std::uint8_t>& data);
    Result<void> feed_after_delimiter(std::span<const std::uint8_t>& data);
    Result<void> feed_headers(std::span<const std::uint8_t>& data);
    Result<void> emit(std::span<const std::uint8_t> data, PartBytes where);
    Result<void> on_delimiter();

    std::string m_delimiter; // "\r\n--" + boundary
    MultipartHandler* m_handler;
    std::size_t m_max_part_header_bytes;
    State m_state = State::body;
    bool m_in_part = false; // false while in the preamble
    std::string m_carry;    // a possible delimiter prefix, or header bytes so far
};

} // namespace supportdrop::http

template <>
struct boost::system::is_error_code_enum<supportdrop::http::MultipartErrc> : std::true_type {};
