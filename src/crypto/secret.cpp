#include "crypto/secret.hpp"

#include <openssl/crypto.h>

namespace supportdrop::crypto {

void wipe(void* data, std::size_t size) noexcept {
    OPENSSL_cleanse(data, size);
}

} // namespace supportdrop::crypto
