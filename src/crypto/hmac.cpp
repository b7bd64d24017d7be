#include "crypto/hmac.hpp"

#include <climits>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace supportdrop::crypto {

Result<Sha256Digest> hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    if (key.size() > INT_MAX) {
        return Errc::openssl_failure;
    }
    Sha256Digest mac{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), mac.data(), &length) ==
            nullptr ||
        length != mac.size()) {
        return Errc::openssl_failure;
    }
    return mac;
}

bool equal_constant_time(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace supportdrop::crypto
