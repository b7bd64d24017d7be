#pragma once

#include "util/errors.hpp"

namespace supportdrop::age {

using util::ErrorCode;
using util::Result;

// Errors of the age format. The values are grouped by the failure classes of the C2SP test
// vectors; classify() maps any error code to its class.
enum class Errc {
    // header failure: the header is not well-formed or its content is invalid
    header_truncated = 1,
    header_too_large,
    unsupported_version,
    malformed_header_line,
    malformed_stanza,
    malformed_stanza_body,
    malformed_mac_line,
    malformed_x25519_stanza,
    low_order_share,
    invalid_file_key_size,
    scrypt_not_alone,
    missing_nonce,
    // no match: none of the identities opens any stanza
    no_identity_matched = 100,
    // HMAC failure: the header was changed or the file key is wrong
    header_mac_mismatch = 200,
    // payload failure: the encrypted payload is damaged
    payload_truncated = 300,
    payload_authentication_failed,
    payload_trailing_data,
    payload_empty_last_chunk,
    // unsupported: valid age, but a feature supportdrop leaves out on purpose
    armor_unsupported = 400,
    scrypt_unsupported,
    plugin_unsupported,
    post_quantum_unsupported,
    ssh_key_unsupported,
    // keys and key files
    invalid_recipient = 500,
    invalid_identity,
    invalid_key_length,
    no_identities_in_file,
    no_recipients,
    // API misuse
    encryptor_closed = 600,
};

enum class FailureClass { none, header, no_match, hmac, payload, unsupported, key, other };

const boost::system::error_category& age_category() noexcept;

inline ErrorCode make_error_code(Errc e) noexcept {
    return ErrorCode(static_cast<int>(e), age_category());
}

// The failure class of `error`; errors from outside this module are FailureClass::other.
FailureClass classify(const ErrorCode& error) noexcept;

} // namespace supportdrop::age

template <>
struct boost::system::is_error_code_enum<supportdrop::age::Errc> : std::true_type {};
