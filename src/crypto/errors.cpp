#include "crypto/errors.hpp"

#include <string>

namespace supportdrop::crypto {
namespace {

class CryptoCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "supportdrop.crypto"; }

    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
        case Errc::openssl_failure: return "OpenSSL operation failed";
        case Errc::random_failure: return "the system random number generator failed";
        case Errc::low_order_point: return "X25519 key agreement gave the all-zero secret (low-order point)";
        }
        return "unknown crypto error";
    }
};

} // namespace

const boost::system::error_category& crypto_category() noexcept {
    static const CryptoCategory category;
    return category;
}

} // namespace supportdrop::crypto
