#include "inspector/rar5_headers.hpp"

#include <array>
#include <optional>
#include <span>

namespace supportdrop::inspector {
namespace {

constexpr std::array<std::uint8_t, 8> k_signature = {'R', 'a', 'r', '!', 0x1A, 0x07, 0x01, 0x00};
constexpr std::size_t k_max_header_size = std::size_t{2} << 20; // the format's own limit

enum class HeaderType : std::uint64_t { main = 1, file = 2, service = 3, encryption = 4, end = 5 };
constexpr std::uint64_t k_flag_extra_area = 0x0001;
constexpr std::uint64_t k_flag_data_area = 0x0002;
constexpr std::uint64_t k_file_flag_mtime = 0x0002;
constexpr std::uint64_t k_file_flag_crc = 0x0004;
constexpr std::uint64_t k_extra_file_encryption = 0x01;

// Reads the header's fields in order; any read past the end makes the reader fail for good.
class FieldReader {
public:
    explicit FieldReader(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}

    // A variable-length integer: 7 bits per byte, low bits first, at most 10 bytes.
    std::optional<std::uint64_t> vint() {
        std::uint64_t value = 0;
        for (int shift = 0; shift < 70 && m_position < m_bytes.size(); shift += 7) {
            const std::uint8_t byte = m_bytes[m_position++];
            value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) {
                return value;
            }
        }
        return std::nullopt;
    }

    std::optional<std::span<const std::uint8_t>> bytes(std::uint64_t n) {
        if (n > m_bytes.size() - m_position) {
            return std::nullopt;
        }
        auto taken = m_bytes.subspan(m_position, static_cast<std::size_t>(n));
        m_position += static_cast<std::size_t>(n);
        return taken;
    }

    std::size_t position() const { return m_position; }

private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_position = 0;
};

// Whether the extra area of a file header holds a file encryption record.
bool has_encryption_record(std::span<const std::uint8_t> extra_area) {
    FieldReader reader(extra_area);
    while (reader.position() < extra_area.size()) {
        const auto size = reader.vint();
        const std::size_t start = reader.position();
        const auto type = reader.vint();
        if (!size || !type) {
            return false;
        }
        if (*type == k_extra_file_encryption) {
            return true;
        }
        const std::size_t type_length = reader.position() - start;
        if (*size < type_length || !reader.bytes(*size - type_length)) {
            return false;
        }
    }
    return false;
}

// The name of a file header's entry if its data is encrypted. `body` starts after the
// general fields; `extra_size` is the size of the extra area at the end of the header.
std::optional<std::string> encrypted_file_name(std::span<const std::uint8_t> header, std::size_t body,
                                               std::uint64_t extra_size) {
    if (extra_size > header.size() - body) {
        return std::nullopt;
    }
    const auto extra_area = header.last(static_cast<std::size_t>(extra_size));
    if (!has_encryption_record(extra_area)) {
        return std::nullopt;
    }
    FieldReader reader(header.subspan(body, header.size() - body - extra_area.size()));
    const auto file_flags = reader.vint();
    if (!file_flags || !reader.vint() /* unpacked size */ || !reader.vint() /* attributes */) {
        return std::nullopt;
    }
    if ((*file_flags & k_file_flag_mtime) != 0 && !reader.bytes(4)) {
        return std::nullopt;
    }
    if ((*file_flags & k_file_flag_crc) != 0 && !reader.bytes(4)) {
        return std::nullopt;
    }
    if (!reader.vint() /* compression */ || !reader.vint() /* host OS */) {
        return std::nullopt;
    }
    const auto name_length = reader.vint();
    const auto name = name_length ? reader.bytes(*name_length) : std::nullopt;
    if (!name) {
        return std::nullopt;
    }
    return std::string(name->begin(), name->end());
}

} // namespace

Rar5Encryption scan_rar5_encryption(util::RandomAccessSource& source, std::size_t max_headers) {
    Rar5Encryption found;
    std::array<std::uint8_t, k_signature.size()> signature{};
    if (!util::read_exactly_at(source, 0, signature) || signature != k_signature) {
        return found;
    }
    auto size = source.size(); // only now: for an upload still arriving, the answer waits for its end
    if (!size) {
        return found;
    }
    std::uint64_t offset = signature.size();
    std::vector<std::uint8_t> header;
    for (std::size_t count = 0; count < max_headers && offset < *size; ++count) {
        // CRC32 (4 bytes), then the header size as a vint (at most 10 bytes).
        std::array<std::uint8_t, 14> prefix{};
        auto n = source.read_at(offset, prefix);
        if (!n || *n < 5) {
            break;
        }
        FieldReader size_reader(std::span<const std::uint8_t>(prefix).first(*n).subspan(4));
        const auto header_size = size_reader.vint();
        if (!header_size || *header_size == 0 || *header_size > k_max_header_size) {
            break;
        }
        const std::uint64_t header_start = offset + 4 + size_reader.position();
        header.resize(static_cast<std::size_t>(*header_size));
        if (!util::read_exactly_at(source, header_start, header)) {
            break;
        }
        FieldReader reader(header);
        const auto type = reader.vint();
        const auto flags = reader.vint();
        if (!type || !flags) {
            break;
        }
        std::uint64_t extra_size = 0;
        std::uint64_t data_size = 0;
        if ((*flags & k_flag_extra_area) != 0) {
            const auto value = reader.vint();
            if (!value) {
                break;
            }
            extra_size = *value;
        }
        if ((*flags & k_flag_data_area) != 0) {
            const auto value = reader.vint();
            if (!value) {
                break;
            }
            data_size = *value;
        }
        if (*type == static_cast<std::uint64_t>(HeaderType::encryption)) {
            found.headers_encrypted = true; // everything after it is ciphertext
            break;
        }
        if (*type == static_cast<std::uint64_t>(HeaderType::end)) {
            break;
        }
        if (*type == static_cast<std::uint64_t>(HeaderType::file)) {
            if (auto name = encrypted_file_name(header, reader.position(), extra_size)) {
                found.encrypted_data.push_back(std::move(*name));
            }
        }
        if (data_size > *size - header_start - header.size()) {
            break;
        }
        offset = header_start + header.size() + data_size;
    }
    return found;
}

} // namespace supportdrop::inspector
