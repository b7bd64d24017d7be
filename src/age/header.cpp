#include "age/header.hpp"

#include "crypto/hkdf.hpp"
#include "crypto/random.hpp"
#include "util/base64.hpp"

#include <algorithm>
#include <optional>

namespace supportdrop::age {
namespace {

constexpr std::string_view k_stanza_prefix = "->";
constexpr std::string_view k_mac_prefix = "---";
constexpr std::string_view k_armor_begin = "-----BEGIN AGE ENCRYPTED FILE-----";

// Walks the header line by line; a line is returned without its '\n'.
class LineCursor {
public:
    explicit LineCursor(std::string_view text) : m_text(text) {}

    // The next line, or nothing when the text ends before a '\n'.
    std::optional<std::string_view> next() {
        const std::size_t end = m_text.find('\n', m_position);
        if (end == std::string_view::npos) {
            return std::nullopt;
        }
        const std::string_view line = m_text.substr(m_position, end - m_position);
        m_line_start = m_position;
        m_position = end + 1;
        return line;
    }

    std::size_t line_start() const { return m_line_start; }
    std::size_t position() const { return m_position; }

private:
    std::string_view m_text;
    std::size_t m_position = 0;
    std::size_t m_line_start = 0;
};

// Splits on single spaces, keeping empty fields so that doubled spaces are detected.
std::vector<std::string_view> split_on_spaces(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t space = line.find(' ', start);
        fields.push_back(line.substr(start, space - start));
        if (space == std::string_view::npos) {
            return fields;
        }
        start = space + 1;
    }
}

// Stanza types and arguments are non-empty strings of visible ASCII (c2sp.org/age).
bool is_valid_argument(std::string_view argument) {
    return !argument.empty() && std::ranges::all_of(argument, [](char c) { return c >= 33 && c <= 126; });
}

// The first line decides early whether this is an age file at all, so that garbage is
// rejected without waiting for a newline that may never come.
Result<void> check_version_prefix(std::string_view text) {
    const std::size_t n = std::min(text.size(), k_version_line.size() + 1);
    const std::string expected = std::string(k_version_line) + '\n';
    if (text.substr(0, n) == std::string_view(expected).substr(0, n)) {
        return {};
    }
    // Armored files may have whitespace around them (c2sp.org/age, "ASCII armor").
    const std::size_t start = std::min(text.find_first_not_of(" \t\r\n"), text.size());
    const std::string_view armored = text.substr(start);
    const std::size_t armor_n = std::min(armored.size(), k_armor_begin.size());
    if (armor_n > 0 && armored.substr(0, armor_n) == k_armor_begin.substr(0, armor_n)) {
        return armored.size() >= k_armor_begin.size() ? Result<void>(Errc::armor_unsupported)
                                                      : Result<void>(Errc::header_truncated);
    }
    return Errc::unsupported_version;
}

Result<Stanza> parse_stanza(std::string_view first_line, LineCursor& cursor) {
    const auto fields = split_on_spaces(first_line);
    if (fields.front() != k_stanza_prefix || fields.size() < 2) {
        return Errc::malformed_stanza;
    }
    Stanza stanza;
    for (std::size_t i = 1; i < fields.size(); ++i) {
        if (!is_valid_argument(fields[i])) {
            return Errc::malformed_stanza;
        }
    }
    stanza.type = std::string(fields[1]);
    for (std::size_t i = 2; i < fields.size(); ++i) {
        stanza.arguments.emplace_back(fields[i]);
    }
    for (;;) {
        const auto line = cursor.next();
        if (!line) {
            return Errc::header_truncated;
        }
        if (line->size() > k_stanza_columns) {
            return Errc::malformed_stanza_body;
        }
        auto decoded = util::decode_base64_strict(*line);
        if (!decoded) {
            return Errc::malformed_stanza_body;
        }
        stanza.body.insert(stanza.body.end(), decoded->begin(), decoded->end());
        if (line->size() < k_stanza_columns) {
            return stanza;
        }
    }
}

Result<crypto::Sha256Digest> parse_mac_line(std::string_view line) {
    const auto fields = split_on_spaces(line);
    if (fields.size() != 2 || fields[0] != k_mac_prefix) {
        return Errc::malformed_mac_line;
    }
    auto decoded = util::decode_base64_strict(fields[1]);
    crypto::Sha256Digest mac{};
    if (!decoded || decoded->size() != mac.size()) {
        return Errc::malformed_mac_line;
    }
    std::ranges::copy(*decoded, mac.begin());
    return mac;
}

} // namespace

Result<FileKey> generate_file_key() {
    FileKey key;
    if (auto filled = crypto::fill_random(key.bytes()); !filled) {
        return filled.error();
    }
    return key;
}

Result<Header> parse_header(std::span<const std::uint8_t> data) {
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    if (auto prefix = check_version_prefix(text); !prefix) {
        return prefix.error();
    }
    LineCursor cursor(text);
    if (!cursor.next()) {
        return Errc::header_truncated;
    }
    Header header;
    for (;;) {
        const auto line = cursor.next();
        if (!line) {
            return Errc::header_truncated;
        }
        if (line->starts_with(k_mac_prefix)) {
            auto mac = parse_mac_line(*line);
            if (!mac) {
                return mac.error();
            }
            header.mac = *mac;
            header.mac_input_size = cursor.line_start() + k_mac_prefix.size();
            header.size = cursor.position();
            return header;
        }
        if (!line->starts_with(k_stanza_prefix)) {
            return Errc::malformed_header_line;
        }
        auto stanza = parse_stanza(*line, cursor);
        if (!stanza) {
            return stanza.error();
        }
        header.stanzas.push_back(std::move(*stanza));
    }
}

std::string serialize_header_without_mac(std::span<const Stanza> stanzas) {
    std::string out(k_version_line);
    out += '\n';
    for (const Stanza& stanza : stanzas) {
        out += k_stanza_prefix;
        out += ' ';
        out += stanza.type;
        for (const std::string& argument : stanza.arguments) {
            out += ' ';
            out += argument;
        }
        out += '\n';
        const std::string body = util::encode_base64_unpadded(stanza.body);
        // Full lines, then a final short line, which is empty when the body fills every line.
        std::size_t offset = 0;
        for (; body.size() - offset >= k_stanza_columns; offset += k_stanza_columns) {
            out += body.substr(offset, k_stanza_columns);
            out += '\n';
        }
        out += body.substr(offset);
        out += '\n';
    }
    out += k_mac_prefix;
    return out;
}

std::string serialize_mac_suffix(const crypto::Sha256Digest& mac) {
    return ' ' + util::encode_base64_unpadded(mac) + '\n';
}

Result<crypto::Sha256Digest> compute_header_mac(const FileKey& file_key, std::span<const std::uint8_t> mac_input) {
    crypto::Secret<32> mac_key;
    if (auto derived = crypto::hkdf_sha256(file_key.bytes(), {}, "header", mac_key.bytes()); !derived) {
        return derived.error();
    }
    return crypto::hmac_sha256(mac_key.bytes(), mac_input);
}

Result<void> verify_header_mac(const FileKey& file_key, const Header& header,
                               std::span<const std::uint8_t> header_bytes) {
    auto mac = compute_header_mac(file_key, header_bytes.first(header.mac_input_size));
    if (!mac) {
        return mac.error();
    }
    if (!crypto::equal_constant_time(*mac, header.mac)) {
        return Errc::header_mac_mismatch;
    }
    return {};
}

} // namespace supportdrop::age
