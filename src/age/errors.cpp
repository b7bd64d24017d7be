#include "age/errors.hpp"

#include <string>

namespace supportdrop::age {
namespace {

const char* describe(Errc error) {
    switch (error) {
    case Errc::header_truncated: return "the age header is truncated (file cut short?)";
    case Errc::header_too_large: return "the age header is larger than 64 KiB";
    case Errc::unsupported_version: return "not an age v1 file (unknown or missing version line)";
    case Errc::malformed_header_line: return "malformed age header: unexpected line";
    case Errc::malformed_stanza: return "malformed age header: invalid recipient stanza line";
    case Errc::malformed_stanza_body: return "malformed age header: invalid recipient stanza body";
    case Errc::malformed_mac_line: return "malformed age header: invalid MAC line";
    case Errc::malformed_x25519_stanza: return "malformed age header: invalid X25519 stanza";
    case Errc::low_order_share: return "malformed age header: X25519 share is a low-order point";
    case Errc::invalid_file_key_size: return "malformed age header: wrapped file key has the wrong size";
    case Errc::scrypt_not_alone: return "malformed age header: an scrypt stanza must be the only one";
    case Errc::missing_nonce: return "the age file ends before the payload nonce";
    case Errc::no_identity_matched: return "no identity matched any of the file's recipients (wrong key?)";
    case Errc::header_mac_mismatch: return "the age header MAC does not match: the header was modified";
    case Errc::payload_truncated: return "the encrypted payload is truncated (file cut short?)";
    case Errc::payload_authentication_failed:
        return "the encrypted payload is damaged or truncated (authentication failed)";
    case Errc::payload_trailing_data: return "the age file has trailing data after its final chunk";
    case Errc::payload_empty_last_chunk: return "the encrypted payload ends with an invalid empty chunk";
    case Errc::armor_unsupported: return "ASCII-armored age files are not supported; use binary age files";
    case Errc::scrypt_unsupported: return "passphrase-encrypted (scrypt) age files are not supported";
    case Errc::plugin_unsupported: return "age plugin recipients and identities are not supported";
    case Errc::post_quantum_unsupported: return "post-quantum (ML-KEM hybrid) age keys are not supported";
    case Errc::ssh_key_unsupported: return "SSH keys are not supported; use age X25519 keys";
    case Errc::invalid_recipient: return "not an age X25519 recipient (expected age1...)";
    case Errc::invalid_identity: return "not an age X25519 identity (expected AGE-SECRET-KEY-1...)";
    case Errc::invalid_key_length: return "the key has the wrong length";
    case Errc::no_identities_in_file: return "no identities found in the identity file";
    case Errc::no_recipients: return "no recipients given";
    case Errc::encryptor_closed: return "the encryptor was already finished or has failed";
    }
    return "unknown age error";
}

} // namespace

const boost::system::error_category& age_category() noexcept {
    static const util::EnumCategory<Errc> category("supportdrop.age", describe);
    return category;
}

FailureClass classify(const ErrorCode& error) noexcept {
    if (!error) {
        return FailureClass::none;
    }
    if (error.category() != age_category()) {
        return FailureClass::other;
    }
    const int value = error.value();
    if (value < 100) {
        return FailureClass::header;
    }
    if (value < 200) {
        return FailureClass::no_match;
    }
    if (value < 300) {
        return FailureClass::hmac;
    }
    if (value < 400) {
        return FailureClass::payload;
    }
    if (value < 500) {
        return FailureClass::unsupported;
    }
    if (value < 600) {
        return FailureClass::key;
    }
    return FailureClass::other;
}

} // namespace supportdrop::age
