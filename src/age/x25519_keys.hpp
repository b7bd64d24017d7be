#pragma once
// age X25519 recipients ("age1...") and identities ("AGE-SECRET-KEY-1..."), c2sp.org/age
// section "X25519 recipient type".

#include "age/errors.hpp"
#include "age/header.hpp"
#include "crypto/x25519.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace supportdrop::age {

// A public key files are sealed to. Immutable; thread-safe.
class X25519Recipient {
public:
    explicit X25519Recipient(const crypto::X25519PublicKey& public_key) : m_public_key(public_key) {}

    // Parses "age1...". Fails with a util::Errc Bech32 error, Errc::invalid_recipient,
    // invalid_key_length, or the unsupported kinds (ssh_key_, plugin_, post_quantum_unsupported).
    static Result<X25519Recipient> parse(std::string_view text);

    std::string to_string() const;
    const crypto::X25519PublicKey& public_key() const { return m_public_key; }

    // A fresh "X25519" stanza that wraps `file_key` for this recipient.
    Result<Stanza> wrap(const FileKey& file_key) const;

    friend bool operator==(const X25519Recipient&, const X25519Recipient&) = default;

private:
    crypto::X25519PublicKey m_public_key;
};

// A private key that opens files sealed to its recipient. Immutable; thread-safe.
class X25519Identity {
public:
    // A fresh random identity.
    static Result<X25519Identity> generate();

    // Parses "AGE-SECRET-KEY-1...". Fails like X25519Recipient::parse, with invalid_identity.
    static Result<X25519Identity> parse(std::string_view text);

    std::string to_string() const;
    const X25519Recipient& recipient() const { return m_recipient; }

    // The file key in `stanza` if it was made for this identity; nothing if the stanza is of
    // another type or for another key. Fails for an X25519 stanza that is malformed
    // (Errc::malformed_x25519_stanza, low_order_share, invalid_file_key_size).
    Result<std::optional<FileKey>> unwrap(const Stanza& stanza) const;

private:
    X25519Identity(crypto::X25519PrivateKey private_key, crypto::X25519KeyPair key_pair)
        : m_private_key(std::move(private_key)), m_key_pair(std::move(key_pair)), m_recipient(m_key_pair.public_key()) {
    }
    static Result<X25519Identity> from_private_key(crypto::X25519PrivateKey private_key);

    crypto::X25519PrivateKey m_private_key; // for to_string()
    crypto::X25519KeyPair m_key_pair;       // loaded once for unwrap()
    X25519Recipient m_recipient;
};

} // namespace supportdrop::age
