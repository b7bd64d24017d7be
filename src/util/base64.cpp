#include "util/base64.hpp"

#include <array>

namespace supportdrop::util {
namespace {

constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view k_url_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t k_invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> table{};
    table.fill(k_invalid);
    for (std::size_t i = 0; i < k_alphabet.size(); ++i) {
        table[static_cast<unsigned char>(k_alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}
constexpr auto k_decode_table = make_decode_table();

std::string encode_unpadded(std::span<const std::uint8_t> data, std::string_view alphabet) {
    std::string out;
    out.reserve((data.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const std::size_t rest = data.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{data[i]} << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

} // namespace

std::string encode_base64_unpadded(std::span<const std::uint8_t> data) {
    return encode_unpadded(data, k_alphabet);
}

std::string encode_base64url_unpadded(std::span<const std::uint8_t> data) {
    return encode_unpadded(data, k_url_alphabet);
}

Result<std::vector<std::uint8_t>> decode_base64_strict(std::string_view text) {
    // A single leftover character cannot encode a whole byte.
    if (text.size() % 4 == 1) {
        return Errc::invalid_base64;
    }
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t accumulator = 0;
    int bits = 0;
    for (const char c : text) {
        const std::uint8_t value = k_decode_table[static_cast<unsigned char>(c)];
        if (value == k_invalid) {
            return Errc::invalid_base64;
        }
        accumulator = (accumulator << 6) | value;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(accumulator >> bits));
            accumulator &= (1u << bits) - 1;
        }
    }
    // Non-canonical: the bits left over after the last byte must be zero.
    if (accumulator != 0) {
        return Errc::invalid_base64;
    }
    return out;
}

} // namespace supportdrop::util
