#pragma once

#include "crypto/errors.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace supportdrop::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

// HMAC-SHA-256 (RFC 2104) of `data` under `key`. Fails with Errc::openssl_failure. Thread-safe.
Result<Sha256Digest> hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

// Compares in time that depends only on the length, for MACs and tags.
bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

} // namespace supportdrop::crypto
