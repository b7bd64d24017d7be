#pragma once
// ChaCha20-Poly1305 AEAD (RFC 8439) with one key and many nonces, without associated data.

#include "crypto/errors.hpp"

#include <cstdint>
#include <memory>
#include <span>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace supportdrop::crypto {

inline constexpr std::size_t k_aead_key_size = 32;
inline constexpr std::size_t k_aead_nonce_size = 12;
inline constexpr std::size_t k_aead_tag_size = 16;

enum class AeadDirection { seal, open };

// One OpenSSL context keyed once and reused for every message, so per-chunk cost is only the
// nonce setup. Not thread-safe.
class ChaCha20Poly1305 {
public:
    // Fails with Errc::openssl_failure.
    static Result<ChaCha20Poly1305> create(std::span<const std::uint8_t, k_aead_key_size> key, AeadDirection direction);

    // Encrypts `plaintext` into `out`, which must hold plaintext.size() + tag bytes; `out` may
    // start at `plaintext` (in place). Only for AeadDirection::seal. Fails with openssl_failure.
    Result<void> seal(std::span<const std::uint8_t, k_aead_nonce_size> nonce, std::span<const std::uint8_t> plaintext,
                      std::span<std::uint8_t> out);

    // Decrypts and authenticates `sealed` (ciphertext + tag) into `out`, which must hold
    // sealed.size() - tag bytes. Returns false when the tag does not match (nothing in `out` may
    // be used then). Only for AeadDirection::open.
    bool open(std::span<const std::uint8_t, k_aead_nonce_size> nonce, std::span<const std::uint8_t> sealed,
              std::span<std::uint8_t> out);

    // Incremental use, for a message that arrives in pieces: begin(), update() per piece, then
    // finish() for the tag (AeadDirection::seal only). `out` of update() holds in.size() bytes
    // and may alias `in`. In AeadDirection::open, update() yields plaintext that is NOT
    // authenticated: use it only to recover data this process sealed itself.
    // Each fails with Errc::openssl_failure.
    Result<void> begin(std::span<const std::uint8_t, k_aead_nonce_size> nonce);
    Result<void> update(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);
    Result<void> finish(std::span<std::uint8_t, k_aead_tag_size> tag);

private:
    struct CtxDeleter {
        void operator()(EVP_CIPHER_CTX* ctx) const;
    };
    explicit ChaCha20Poly1305(std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx) : m_ctx(std::move(ctx)) {}

    std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> m_ctx;
};

} // namespace supportdrop::crypto
