#pragma once
// X25519 key agreement (RFC 7748).

#include "crypto/errors.hpp"
#include "crypto/secret.hpp"

#include <array>
#include <cstdint>

namespace supportdrop::crypto {

inline constexpr std::size_t k_x25519_key_size = 32;
using X25519PublicKey = std::array<std::uint8_t, k_x25519_key_size>;
using X25519PrivateKey = Secret<k_x25519_key_size>;
using X25519SharedSecret = Secret<k_x25519_key_size>;

// A fresh random private key. Fails with Errc::random_failure.
Result<X25519PrivateKey> generate_x25519_private_key();

// The public key (scalar times the base point). Fails with Errc::openssl_failure.
Result<X25519PublicKey> x25519_public_key(const X25519PrivateKey& private_key);

// The shared secret with `peer`. Fails with Errc::low_order_point when it is all zeros (the
// peer sent a low-order point), which callers must treat as an invalid peer key.
Result<X25519SharedSecret> x25519_shared_secret(const X25519PrivateKey& private_key, const X25519PublicKey& peer);

} // namespace supportdrop::crypto
