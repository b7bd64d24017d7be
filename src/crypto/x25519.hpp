#pragma once
// X25519 key agreement (RFC 7748).

#include "crypto/errors.hpp"
#include "crypto/secret.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <utility>

struct evp_pkey_st;

namespace supportdrop::crypto {

inline constexpr std::size_t k_x25519_key_size = 32;
using X25519PublicKey = std::array<std::uint8_t, k_x25519_key_size>;
using X25519PrivateKey = Secret<k_x25519_key_size>;
using X25519SharedSecret = Secret<k_x25519_key_size>;

// A fresh random private key. Fails with Errc::random_failure.
Result<X25519PrivateKey> generate_x25519_private_key();

// A private key loaded into OpenSSL once, with its public key (scalar times the base point)
// computed then: each agreement afterwards costs one scalar multiplication, where loading the
// raw private key again would cost two. Copies share the loaded key. Immutable; thread-safe.
class X25519KeyPair {
public:
    // Fails with Errc::openssl_failure.
    static Result<X25519KeyPair> load(const X25519PrivateKey& private_key);

    const X25519PublicKey& public_key() const { return m_public_key; }

    // The shared secret with `peer`. Fails with Errc::low_order_point when it is all zeros (the
    // peer sent a low-order point), which callers must treat as an invalid peer key.
    Result<X25519SharedSecret> shared_secret(const X25519PublicKey& peer) const;

private:
    X25519KeyPair(std::shared_ptr<evp_pkey_st> key, const X25519PublicKey& public_key)
        : m_key(std::move(key)), m_public_key(public_key) {}

    std::shared_ptr<evp_pkey_st> m_key; // read only once loaded; null only when moved from
    X25519PublicKey m_public_key;
};

} // namespace supportdrop::crypto
