#include "http/multipart_parser.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace supportdrop::http {
namespace {

const char* describe(MultipartErrc error) {
    switch (error) {
    case MultipartErrc::missing_boundary: return "not multipart/form-data with a boundary";
    case MultipartErrc::malformed: return "malformed multipart body";
    case MultipartErrc::part_header_too_large: return "multipart part header too large";
    case MultipartErrc::truncated: return "multipart body ended early";
    }
    return "unknown multipart error";
}

// Parses `; key=value` or `; key="quoted"` parameters (RFC 7578 section 4.2: browsers
// percent-encode or escape quotes in file names; a backslash escapes the next character).
std::optional<std::string> parameter(std::string_view header_value, std::string_view wanted) {
    std::size_t position = header_value.find(';');
    while (position != std::string_view::npos && position < header_value.size()) {
        ++position;
        while (position < header_value.size() && (header_value[position] == ' ' || header_value[position] == '\t')) {
            ++position;
        }
        const std::size_t equals = header_value.find('=', position);
        if (equals == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string key = util::to_lower(util::trim(header_value.substr(position, equals - position)));
        std::string value;
        std::size_t next = equals + 1;
        if (next < header_value.size() && header_value[next] == '"') {
            ++next;
            for (; next < header_value.size() && header_value[next] != '"'; ++next) {
                if (header_value[next] == '\\' && next + 1 < header_value.size()) {
                    ++next;
                }
                value += header_value[next];
            }
            if (next >= header_value.size()) {
                return std::nullopt; // unterminated quote
            }
            ++next;
        } else {
            const std::size_t end = std::min(header_value.find(';', next), header_value.size());
            value = std::string(util::trim(header_value.substr(next, end - next)));
            next = end;
        }
        if (key == wanted) {
            return value;
        }
        position = header_value.find(';', next);
    }
    return std::nullopt;
}

// The longest suffix of `data` that is a proper prefix of `delimiter`.
std::size_t partial_delimiter_suffix(std::span<const std::uint8_t> data, std::string_view delimiter) {
    const std::size_t longest = std::min(data.size(), delimiter.size() - 1);
    for (std::size_t length = longest; length > 0; --length) {
        if (std::memcmp(data.data() + data.size() - length, delimiter.data(), length) == 0) {
            return length;
        }
    }
    return 0;
}

} // namespace

const boost::system::error_category& multipart_category() noexcept {
    static const util::EnumCategory<MultipartErrc> category("supportdrop.multipart", describe);
    return category;
}

Result<std::string> boundary_from_content_type(std::string_view content_type) {
    const std::size_t semicolon = content_type.find(';');
    if (util::to_lower(util::trim(content_type.substr(0, semicolon))) != "multipart/form-data") {
        return MultipartErrc::missing_boundary;
    }
    auto boundary = parameter(content_type, "boundary");
    // RFC 2046 section 5.1.1: 1 to 70 characters.
    if (!boundary || boundary->empty() || boundary->size() > 70) {
        return MultipartErrc::missing_boundary;
    }
    return *boundary;
}

MultipartParser::MultipartParser(std::string_view boundary, MultipartHandler& handler,
                                 std::size_t max_part_header_bytes)
    : m_delimiter("\r\n--" + std::string(boundary)), m_handler(&handler),
      m_max_part_header_bytes(max_part_header_bytes),
      // The first delimiter may open the body without a preceding CRLF: pretend there was one.
      m_carry("\r\n") {}

Result<void> MultipartParser::emit(std::span<const std::uint8_t> data, PartBytes where) {
    if (!m_in_part || data.empty()) {
        return {}; // the preamble is ignored
    }
    return m_handler->on_part_data(data, where);
}

Result<void> MultipartParser::on_delimiter() {
    if (m_in_part) {
        if (auto ended = m_handler->on_part_end(); !ended) {
            return ended;
        }
        m_in_part = false;
    }
    m_state = State::after_delimiter;
    m_carry.clear();
    return {};
}

Result<void> MultipartParser::feed(std::span<const std::uint8_t> data) {
    while (!data.empty()) {
        Result<void> step;
        switch (m_state) {
        case State::body: step = feed_body(data); break;
        case State::after_delimiter: step = feed_after_delimiter(data); break;
        case State::headers: step = feed_headers(data); break;
        case State::epilogue: return {}; // RFC 2046: ignored
        case State::failed: return MultipartErrc::malformed;
        }
        if (!step) {
            m_state = State::failed;
            return step;
        }
    }
    return {};
}

Result<void> MultipartParser::feed_body(std::span<const std::uint8_t>& data) {
    const std::string_view delimiter = m_delimiter;
    if (!m_carry.empty()) {
        // Does a delimiter start inside the carried bytes? Look at carry + the next few bytes.
        const std::size_t take = std::min(data.size(), delimiter.size());
        std::string window = m_carry;
        window.append(reinterpret_cast<const char*>(data.data()), take);
        for (std::size_t start = 0; start < m_carry.size(); ++start) {
            const std::size_t available = window.size() - start;
            const std::size_t compare = std::min(available, delimiter.size());
            if (window.compare(start, compare, delimiter, 0, compare) != 0) {
                continue;
            }
            if (auto emitted = emit(util::bytes_of(std::string_view(m_carry).substr(0, start)), PartBytes::held_back);
                !emitted) {
                return emitted;
            }
            if (compare == delimiter.size()) {
                data = data.subspan(delimiter.size() - (m_carry.size() - start));
                return on_delimiter();
            }
            // Still only a prefix of the delimiter: keep it and wait for more.
            m_carry = window.substr(start);
            data = data.subspan(take);
            return {};
        }
        if (auto emitted = emit(util::bytes_of(m_carry), PartBytes::held_back); !emitted) {
            return emitted;
        }
        m_carry.clear();
    }
    const auto* found =
        static_cast<const std::uint8_t*>(::memmem(data.data(), data.size(), delimiter.data(), delimiter.size()));
    if (found != nullptr) {
        const auto offset = static_cast<std::size_t>(found - data.data());
        if (auto emitted = emit(data.first(offset), PartBytes::fed); !emitted) {
            return emitted;
        }
        data = data.subspan(offset + delimiter.size());
        return on_delimiter();
    }
    const std::size_t keep = partial_delimiter_suffix(data, delimiter);
    if (auto emitted = emit(data.first(data.size() - keep), PartBytes::fed); !emitted) {
        return emitted;
    }
    m_carry.assign(reinterpret_cast<const char*>(data.data() + data.size() - keep), keep);
    data = {};
    return {};
}

Result<void> MultipartParser::feed_after_delimiter(std::span<const std::uint8_t>& data) {
    // "--" closes the body; CRLF starts the next part's headers.
    while (m_carry.size() < 2 && !data.empty()) {
        m_carry += static_cast<char>(data.front());
        data = data.subspan(1);
    }
    if (m_carry.size() < 2) {
        return {};
    }
    if (m_carry == "--") {
        m_state = State::epilogue;
    } else if (m_carry == "\r\n") {
        m_state = State::headers;
    } else {
        return MultipartErrc::malformed;
    }
    m_carry.clear();
    return {};
}

Result<void> MultipartParser::feed_headers(std::span<const std::uint8_t>& data) {
    const std::size_t old_size = m_carry.size();
    const std::size_t take =
        std::min(data.size(), m_max_part_header_bytes + 4 - std::min(old_size, m_max_part_header_bytes + 4));
    m_carry.append(reinterpret_cast<const char*>(data.data()), take);
    // A part without any header line (the blank line comes first) has no Content-Disposition.
    if (m_carry.starts_with("\r\n")) {
        return MultipartErrc::malformed;
    }
    // Search from just before the new bytes, in case "\r\n\r\n" straddles them.
    const std::size_t end = m_carry.find("\r\n\r\n", old_size >= 3 ? old_size - 3 : 0);
    if (end == std::string::npos) {
        data = data.subspan(take);
        if (m_carry.size() > m_max_part_header_bytes) {
            return MultipartErrc::part_header_too_large;
        }
        return {};
    }
    if (end > m_max_part_header_bytes) {
        return MultipartErrc::part_header_too_large;
    }
    data = data.subspan(end + 4 - old_size);
    const std::string block = m_carry.substr(0, end);
    m_carry.clear();

    PartHeaders headers;
    bool has_disposition = false;
    std::size_t line_start = 0;
    while (line_start <= block.size()) {
        const std::size_t line_end = std::min(block.find("\r\n", line_start), block.size());
        const std::string_view line = std::string_view(block).substr(line_start, line_end - line_start);
        line_start = line_end + 2;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            return MultipartErrc::malformed;
        }
        const std::string name = util::to_lower(util::trim(line.substr(0, colon)));
        const std::string_view value = util::trim(line.substr(colon + 1));
        if (name == "content-disposition") {
            if (util::to_lower(util::trim(value.substr(0, value.find(';')))) != "form-data") {
                return MultipartErrc::malformed;
            }
            auto field = parameter(value, "name");
            if (!field) {
                return MultipartErrc::malformed;
            }
            headers.name = *field;
            headers.filename = parameter(value, "filename");
            has_disposition = true;
        } else if (name == "content-type") {
            headers.content_type = std::string(value);
        }
    }
    if (!has_disposition) {
        return MultipartErrc::malformed;
    }
    m_state = State::body;
    m_in_part = true;
    return m_handler->on_part_begin(headers);
}

Result<void> MultipartParser::finish() {
    if (m_state != State::epilogue) {
        m_state = State::failed;
        return MultipartErrc::truncated;
    }
    return {};
}

} // namespace supportdrop::http
