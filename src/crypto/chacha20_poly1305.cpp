#include "crypto/chacha20_poly1305.hpp"

#include <climits>
#include <openssl/evp.h>

namespace supportdrop::crypto {

void ChaCha20Poly1305::CtxDeleter::operator()(EVP_CIPHER_CTX* ctx) const {
    EVP_CIPHER_CTX_free(ctx);
}

Result<ChaCha20Poly1305> ChaCha20Poly1305::create(std::span<const std::uint8_t, k_aead_key_size> key,
                                                  AeadDirection direction) {
    std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) {
        return Errc::openssl_failure;
    }
    const int encrypt = direction == AeadDirection::seal ? 1 : 0;
    if (EVP_CipherInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, nullptr, nullptr, encrypt) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(k_aead_nonce_size), nullptr) != 1 ||
        EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nullptr, encrypt) != 1) {
        return Errc::openssl_failure;
    }
    return ChaCha20Poly1305(std::move(ctx));
}

Result<void> ChaCha20Poly1305::seal(std::span<const std::uint8_t, k_aead_nonce_size> nonce,
                                    std::span<const std::uint8_t> plaintext, std::span<std::uint8_t> out) {
    if (plaintext.size() > INT_MAX - k_aead_tag_size || out.size() < plaintext.size() + k_aead_tag_size) {
        return Errc::openssl_failure;
    }
    int written = 0;
    int final_written = 0;
    if (EVP_EncryptInit_ex(m_ctx.get(), nullptr, nullptr, nullptr, nonce.data()) != 1 ||
        EVP_EncryptUpdate(m_ctx.get(), out.data(), &written, plaintext.data(), static_cast<int>(plaintext.size())) !=
            1 ||
        EVP_EncryptFinal_ex(m_ctx.get(), out.data() + written, &final_written) != 1 ||
        EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(k_aead_tag_size),
                            out.data() + plaintext.size()) != 1) {
        return Errc::openssl_failure;
    }
    return {};
}

Result<void> ChaCha20Poly1305::begin(std::span<const std::uint8_t, k_aead_nonce_size> nonce) {
    if (EVP_CipherInit_ex(m_ctx.get(), nullptr, nullptr, nullptr, nonce.data(), -1) != 1) {
        return Errc::openssl_failure;
    }
    return {};
}

Result<void> ChaCha20Poly1305::update(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
    int written = 0;
    if (in.size() > INT_MAX || out.size() < in.size() ||
        EVP_CipherUpdate(m_ctx.get(), out.data(), &written, in.data(), static_cast<int>(in.size())) != 1 ||
        static_cast<std::size_t>(written) != in.size()) {
        return Errc::openssl_failure;
    }
    return {};
}

Result<void> ChaCha20Poly1305::finish(std::span<std::uint8_t, k_aead_tag_size> tag) {
    int final_written = 0;
    std::uint8_t unused[1];
    if (EVP_EncryptFinal_ex(m_ctx.get(), unused, &final_written) != 1 ||
        EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(k_aead_tag_size), tag.data()) != 1) {
        return Errc::openssl_failure;
    }
    return {};
}

bool ChaCha20Poly1305::open(std::span<const std::uint8_t, k_aead_nonce_size> nonce,
                            std::span<const std::uint8_t> sealed, std::span<std::uint8_t> out) {
    if (sealed.size() < k_aead_tag_size || sealed.size() > INT_MAX) {
        return false;
    }
    const std::size_t length = sealed.size() - k_aead_tag_size;
    if (out.size() < length) {
        return false;
    }
    // EVP takes the expected tag through a non-const pointer but only copies it.
    auto* tag = const_cast<std::uint8_t*>(sealed.data() + length);
    int written = 0;
    int final_written = 0;
    return EVP_DecryptInit_ex(m_ctx.get(), nullptr, nullptr, nullptr, nonce.data()) == 1 &&
           EVP_DecryptUpdate(m_ctx.get(), out.data(), &written, sealed.data(), static_cast<int>(length)) == 1 &&
           EVP_CIPHER_CTX_ctrl(m_ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(k_aead_tag_size), tag) == 1 &&
           EVP_DecryptFinal_ex(m_ctx.get(), out.data() + written, &final_written) == 1;
}

} // namespace supportdrop::crypto
