#include "age/payload_cipher.hpp"

#include "crypto/hkdf.hpp"

namespace supportdrop::age {
namespace {

// STREAM nonce: an 11-byte big-endian chunk counter, then 0x01 for the final chunk, else 0x00.
std::array<std::uint8_t, crypto::k_aead_nonce_size> chunk_nonce(std::uint64_t index, ChunkPosition position) {
    std::array<std::uint8_t, crypto::k_aead_nonce_size> nonce{};
    for (std::size_t i = 0; i < sizeof index; ++i) {
        nonce[10 - i] = static_cast<std::uint8_t>(index >> (8 * i));
    }
    nonce[11] = position == ChunkPosition::last ? 1 : 0;
    return nonce;
}

} // namespace

Result<PayloadCipher> PayloadCipher::create(const FileKey& file_key, const PayloadNonce& nonce,
                                            crypto::AeadDirection direction) {
    crypto::Secret<crypto::k_aead_key_size> payload_key;
    if (auto derived = crypto::hkdf_sha256(file_key.bytes(), nonce, "payload", payload_key.bytes()); !derived) {
        return derived.error();
    }
    auto aead = crypto::ChaCha20Poly1305::create(payload_key.bytes(), direction);
    if (!aead) {
        return aead.error();
    }
    return PayloadCipher(std::move(*aead));
}

Result<void> PayloadCipher::seal_chunk(std::uint64_t index, ChunkPosition position,
                                       std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> out) {
    return m_aead.seal(chunk_nonce(index, position), plaintext, out);
}

Result<void> PayloadCipher::begin_chunk(std::uint64_t index, ChunkPosition position) {
    return m_aead.begin(chunk_nonce(index, position));
}

Result<void> PayloadCipher::update(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
    return m_aead.update(in, out);
}

Result<void> PayloadCipher::finish_chunk(std::span<std::uint8_t, crypto::k_aead_tag_size> tag) {
    return m_aead.finish(tag);
}

bool PayloadCipher::open_chunk(std::uint64_t index, ChunkPosition position, std::span<const std::uint8_t> sealed,
                               std::span<std::uint8_t> out) {
    return m_aead.open(chunk_nonce(index, position), sealed, out);
}

} // namespace supportdrop::age
