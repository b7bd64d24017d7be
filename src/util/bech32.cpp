#include "util/bech32.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace supportdrop::util {
namespace {

constexpr std::string_view k_charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t k_checksum_length = 6;

std::uint32_t polymod(std::span<const std::uint8_t> values) {
    constexpr std::array<std::uint32_t, 5> generator = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    std::uint32_t checksum = 1;
    for (const std::uint8_t value : values) {
        const std::uint32_t top = checksum >> 25;
        checksum = ((checksum & 0x1ffffff) << 5) ^ value;
        for (std::size_t i = 0; i < generator.size(); ++i) {
            if ((top >> i) & 1) {
                checksum ^= generator[i];
            }
        }
    }
    return checksum;
}

// The checksummed sequence: hrp high bits, 0, hrp low bits, then the 5-bit data.
std::vector<std::uint8_t> checksum_input(std::string_view lower_hrp, std::span<const std::uint8_t> data5) {
    std::vector<std::uint8_t> values;
    values.reserve(lower_hrp.size() * 2 + 1 + data5.size() + k_checksum_length);
    for (const char c : lower_hrp) {
        values.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) >> 5));
    }
    values.push_back(0);
    for (const char c : lower_hrp) {
        values.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) & 31));
    }
    values.insert(values.end(), data5.begin(), data5.end());
    return values;
}

// Regroups bits from `from_bits`-wide to `to_bits`-wide values. With `pad`, a partial last
// group is zero-filled; without, leftover bits must be fewer than `from_bits` and zero.
bool convert_bits(std::span<const std::uint8_t> in, int from_bits, int to_bits, bool pad,
                  std::vector<std::uint8_t>& out) {
    std::uint32_t accumulator = 0;
    int bits = 0;
    const std::uint32_t max_value = (1u << to_bits) - 1;
    for (const std::uint8_t value : in) {
        accumulator = (accumulator << from_bits) | value;
        bits += from_bits;
        while (bits >= to_bits) {
            bits -= to_bits;
            out.push_back(static_cast<std::uint8_t>((accumulator >> bits) & max_value));
        }
        accumulator &= (1u << bits) - 1;
    }
    if (pad) {
        if (bits > 0) {
            out.push_back(static_cast<std::uint8_t>((accumulator << (to_bits - bits)) & max_value));
        }
        return true;
    }
    return bits < from_bits && accumulator == 0;
}

} // namespace

std::string encode_bech32(std::string_view hrp, std::span<const std::uint8_t> data) {
    const std::string lower_hrp = to_lower(hrp);
    std::vector<std::uint8_t> data5;
    convert_bits(data, 8, 5, true, data5);

    std::vector<std::uint8_t> values = checksum_input(lower_hrp, data5);
    values.resize(values.size() + k_checksum_length, 0);
    const std::uint32_t checksum = polymod(values) ^ 1;

    std::string out = lower_hrp + '1';
    for (const std::uint8_t value : data5) {
        out += k_charset[value];
    }
    for (std::size_t i = 0; i < k_checksum_length; ++i) {
        out += k_charset[(checksum >> (5 * (k_checksum_length - 1 - i))) & 31];
    }
    return out;
}

Result<Bech32Data> decode_bech32(std::string_view text) {
    bool has_lower = false;
    bool has_upper = false;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126) {
            return Errc::bech32_invalid_character;
        }
        has_lower = has_lower || std::islower(u) != 0;
        has_upper = has_upper || std::isupper(u) != 0;
    }
    if (has_lower && has_upper) {
        return Errc::bech32_mixed_case;
    }
    const std::size_t separator = text.rfind('1');
    if (separator == std::string_view::npos || separator == 0 || separator + 1 + k_checksum_length > text.size()) {
        return Errc::bech32_missing_separator;
    }
    const std::string lower = to_lower(text);
    const std::string_view lower_hrp = std::string_view(lower).substr(0, separator);

    std::vector<std::uint8_t> data5;
    data5.reserve(lower.size() - separator - 1);
    for (std::size_t i = separator + 1; i < lower.size(); ++i) {
        const std::size_t value = k_charset.find(lower[i]);
        if (value == std::string_view::npos) {
            return Errc::bech32_invalid_character;
        }
        data5.push_back(static_cast<std::uint8_t>(value));
    }
    if (polymod(checksum_input(lower_hrp, data5)) != 1) {
        return Errc::bech32_bad_checksum;
    }
    data5.resize(data5.size() - k_checksum_length);

    Bech32Data decoded{std::string(text.substr(0, separator)), {}};
    if (!convert_bits(data5, 5, 8, false, decoded.data)) {
        return Errc::bech32_bad_padding;
    }
    return decoded;
}

} // namespace supportdrop::util
