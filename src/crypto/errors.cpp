#include "crypto/errors.hpp"

#include <string>

namespace supportdrop::crypto {
namespace {

const char* describe(Errc error) {
    switch (error) {
    case Errc::openssl_failure: return "OpenSSL operation failed";
    case Errc::random_failure: return "the system random number generator failed";
    case Errc::low_order_point: return "X25519 key agreement gave the all-zero secret (low-order point)";
    }
    return "unknown crypto error";
}

} // namespace

const boost::system::error_category& crypto_category() noexcept {
    static const util::EnumCategory<Errc> category("supportdrop.crypto", describe);
    return category;
}

} // namespace supportdrop::crypto
