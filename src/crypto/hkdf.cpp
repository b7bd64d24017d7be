#include "crypto/hkdf.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

namespace supportdrop::crypto {
namespace {

struct KdfCtxDeleter {
    void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

// Fetched once: an explicit fetch avoids a provider lookup on every derivation.
EVP_KDF* hkdf_algorithm() {
    static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr);
    return kdf;
}

} // namespace

Result<void> hkdf_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> salt, std::string_view info,
                         std::span<std::uint8_t> out) {
    EVP_KDF* kdf = hkdf_algorithm();
    if (kdf == nullptr) {
        return Errc::openssl_failure;
    }
    std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf));
    if (!ctx) {
        return Errc::openssl_failure;
    }
    // OSSL_PARAM takes non-const pointers but only reads these buffers.
    static char digest[] = "SHA256";
    static std::uint8_t empty = 0;
    auto* key_data = const_cast<std::uint8_t*>(key.empty() ? &empty : key.data());
    auto* salt_data = const_cast<std::uint8_t*>(salt.empty() ? &empty : salt.data());
    auto* info_data = const_cast<char*>(info.data());
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_data, key.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_data, salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_data, info.size()),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
        return Errc::openssl_failure;
    }
    return {};
}

} // namespace supportdrop::crypto
