#pragma once
// Standard base64 (RFC 4648 section 4) without padding, as the age header uses it.

#include "util/errors.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace supportdrop::util {

// Encodes without '=' padding.
std::string encode_base64_unpadded(std::span<const std::uint8_t> data);

// The URL- and file-name-safe alphabet (RFC 4648 section 5: '-' and '_'), without padding.
std::string encode_base64url_unpadded(std::span<const std::uint8_t> data);

// Decodes strictly: only the 64 alphabet characters, no padding, no whitespace, and the unused
// low bits of the last character must be zero (so every byte string has exactly one encoding).
// Fails with Errc::invalid_base64.
Result<std::vector<std::uint8_t>> decode_base64_strict(std::string_view text);

} // namespace supportdrop::util
