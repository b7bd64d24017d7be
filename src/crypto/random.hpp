#pragma once

#include "crypto/errors.hpp"

#include <cstdint>
#include <span>

namespace supportdrop::crypto {

// Fills `out` from OpenSSL's CSPRNG. Fails with Errc::random_failure. Thread-safe.
Result<void> fill_random(std::span<std::uint8_t> out);

} // namespace supportdrop::crypto
