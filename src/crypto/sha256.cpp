#include "crypto/sha256.hpp"

#include <openssl/evp.h>

namespace supportdrop::crypto {

void Sha256::CtxDeleter::operator()(EVP_MD_CTX* ctx) const {
    EVP_MD_CTX_free(ctx);
}

Result<Sha256> Sha256::create() {
    std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        return Errc::openssl_failure;
    }
    return Sha256(std::move(ctx));
}

void Sha256::update(std::span<const std::uint8_t> data) {
    if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1) {
        m_failed = true;
    }
}

Result<Sha256Digest> Sha256::finish() {
    Sha256Digest digest{};
    unsigned int length = 0;
    if (m_failed || EVP_DigestFinal_ex(m_ctx.get(), digest.data(), &length) != 1 || length != digest.size()) {
        return Errc::openssl_failure;
    }
    return digest;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (const std::uint8_t b : bytes) {
        hex += digits[b >> 4];
        hex += digits[b & 15];
    }
    return hex;
}

} // namespace supportdrop::crypto
