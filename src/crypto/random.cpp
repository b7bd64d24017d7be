#include "crypto/random.hpp"

#include <climits>
#include <openssl/rand.h>

namespace supportdrop::crypto {

Result<void> fill_random(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
        if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
            return Errc::random_failure;
        }
        out = out.subspan(n);
    }
    return {};
}

} // namespace supportdrop::crypto
