#pragma once

#include "crypto/errors.hpp"

#include <cstdint>
#include <span>
#include <string_view>

namespace supportdrop::crypto {

// HKDF-SHA-256 (RFC 5869) extract-and-expand into `out`. An empty salt means the RFC's default
// (hash-length zeros). Fails with Errc::openssl_failure. Thread-safe.
Result<void> hkdf_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> salt, std::string_view info,
                         std::span<std::uint8_t> out);

} // namespace supportdrop::crypto
