#pragma once

#include "util/errors.hpp"

namespace supportdrop::crypto {

using util::ErrorCode;
using util::Result;

// Errors of the cryptographic primitives.
enum class Errc {
    openssl_failure = 1, // an OpenSSL call failed unexpectedly (allocation, provider missing)
    random_failure,      // the system random generator failed
    low_order_point,     // an X25519 exchange gave the all-zero shared secret
};

const boost::system::error_category& crypto_category() noexcept;

inline ErrorCode make_error_code(Errc e) noexcept {
    return ErrorCode(static_cast<int>(e), crypto_category());
}

} // namespace supportdrop::crypto

template <>
struct boost::system::is_error_code_enum<supportdrop::crypto::Errc> : std::true_type {};
