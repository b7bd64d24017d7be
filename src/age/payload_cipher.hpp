#pragma once
// The age payload: STREAM (c2sp.org/age, "Payload") over ChaCha20-Poly1305 in 64 KiB chunks.

#include "age/errors.hpp"
#include "age/header.hpp"
#include "crypto/chacha20_poly1305.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace supportdrop::age {

inline constexpr std::size_t k_chunk_size = std::size_t{64} * 1024;
inline constexpr std::size_t k_sealed_chunk_size = k_chunk_size + crypto::k_aead_tag_size;
inline constexpr std::size_t k_payload_nonce_size = 16;

using PayloadNonce = std::array<std::uint8_t, k_payload_nonce_size>;

// Whether a chunk is the file's final one; the STREAM nonce carries this flag.
enum class ChunkPosition { middle, last };

// Seals or opens payload chunks by index under the key HKDF(file key, nonce, "payload").
// Not thread-safe.
class PayloadCipher {
public:
    // Fails with crypto::Errc::openssl_failure.
    static Result<PayloadCipher> create(const FileKey& file_key, const PayloadNonce& nonce,
                                        crypto::AeadDirection direction);

    // Seals up to k_chunk_size bytes of `plaintext` into `out` (plaintext.size() + 16 bytes;
    // may alias `plaintext`).
    Result<void> seal_chunk(std::uint64_t index, ChunkPosition position, std::span<const std::uint8_t> plaintext,
                            std::span<std::uint8_t> out);

    // Opens `sealed` into `out`; false when it does not authenticate as chunk `index` at `position`.
    bool open_chunk(std::uint64_t index, ChunkPosition position, std::span<const std::uint8_t> sealed,
                    std::span<std::uint8_t> out);

    // Incremental form of seal_chunk() for a chunk that arrives in pieces (see
    // crypto::ChaCha20Poly1305::begin): begin_chunk(), update() per piece, finish_chunk().
    Result<void> begin_chunk(std::uint64_t index, ChunkPosition position);
    Result<void> update(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);
    Result<void> finish_chunk(std::span<std::uint8_t, crypto::k_aead_tag_size> tag);

private:
    explicit PayloadCipher(crypto::ChaCha20Poly1305 aead) : m_aead(std::move(aead)) {}

    crypto::ChaCha20Poly1305 m_aead;
};

} // namespace supportdrop::age
