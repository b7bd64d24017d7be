#pragma once
// Bech32 (BIP 173, the original checksum constant), as age uses it for keys. Unlike BIP 173,
// no 90-character length limit applies: age identities and recipients are encoded the same way.

#include "util/errors.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace supportdrop::util {

struct Bech32Data {
    std::string hrp; // human-readable part, in the case it was written in
    std::vector<std::uint8_t> data;
};

// Encodes `data` (8-bit bytes) under `hrp`; the result is lower case.
std::string encode_bech32(std::string_view hrp, std::span<const std::uint8_t> data);

// Decodes an all-lower or all-upper case string. Fails with Errc::bech32_mixed_case,
// bech32_invalid_character, bech32_missing_separator, bech32_bad_checksum or bech32_bad_padding.
Result<Bech32Data> decode_bech32(std::string_view text);

} // namespace supportdrop::util
