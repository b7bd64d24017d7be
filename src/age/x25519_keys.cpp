#include "age/x25519_keys.hpp"

#include "crypto/chacha20_poly1305.hpp"
#include "crypto/hkdf.hpp"
#include "util/base64.hpp"
#include "util/bech32.hpp"

#include <algorithm>
#include <cctype>

namespace supportdrop::age {
namespace {

constexpr std::string_view k_stanza_type = "X25519";
constexpr std::string_view k_wrap_info = "age-encryption.org/v1/X25519";
constexpr std::string_view k_recipient_hrp = "age";
constexpr std::string_view k_identity_hrp = "AGE-SECRET-KEY-";
constexpr std::size_t k_wrapped_key_size = k_file_key_size + crypto::k_aead_tag_size;

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
}

// Keys that are valid in the age ecosystem but that this implementation leaves out.
std::optional<Errc> unsupported_key_kind(std::string_view text) {
    if (text.starts_with("ssh-") || text.starts_with("ecdsa-") || text.starts_with("-----BEGIN")) {
        return Errc::ssh_key_unsupported;
    }
    if (starts_with_ignoring_case(text, "age1pq1") || starts_with_ignoring_case(text, "AGE-SECRET-KEY-PQ-1")) {
        return Errc::post_quantum_unsupported;
    }
    if (starts_with_ignoring_case(text, "AGE-PLUGIN-") ||
        (starts_with_ignoring_case(text, "age1") && text.find('1', 4) != std::string_view::npos)) {
        return Errc::plugin_unsupported;
    }
    return std::nullopt;
}

// Decodes a Bech32 key with exactly `hrp` (case-sensitive, as age-keygen writes it).
Result<std::vector<std::uint8_t>> decode_key(std::string_view text, std::string_view hrp, Errc wrong_kind) {
    if (const auto unsupported = unsupported_key_kind(text)) {
        return *unsupported;
    }
    auto decoded = util::decode_bech32(text);
    if (!decoded) {
        return decoded.error();
    }
    if (decoded->hrp != hrp) {
        return wrong_kind;
    }
    if (decoded->data.size() != crypto::k_x25519_key_size) {
        return Errc::invalid_key_length;
    }
    return std::move(decoded->data);
}

// HKDF(shared secret, salt = ephemeral share || recipient, info) as the stanza's wrap key.
Result<crypto::Secret<crypto::k_aead_key_size>> derive_wrap_key(const crypto::X25519SharedSecret& shared,
                                                                const crypto::X25519PublicKey& share,
                                                                const crypto::X25519PublicKey& recipient) {
    std::array<std::uint8_t, 2 * crypto::k_x25519_key_size> salt{};
    std::ranges::copy(share, salt.begin());
    std::ranges::copy(recipient, salt.begin() + crypto::k_x25519_key_size);
    crypto::Secret<crypto::k_aead_key_size> wrap_key;
    if (auto derived = crypto::hkdf_sha256(shared.bytes(), salt, k_wrap_info, wrap_key.bytes()); !derived) {
        return derived.error();
    }
    return wrap_key;
}

constexpr std::array<std::uint8_t, crypto::k_aead_nonce_size> k_zero_nonce{};

} // namespace

Result<X25519Recipient> X25519Recipient::parse(std::string_view text) {
    auto key = decode_key(text, k_recipient_hrp, Errc::invalid_recipient);
    if (!key) {
        return key.error();
    }
    crypto::X25519PublicKey public_key{};
    std::ranges::copy(*key, public_key.begin());
    return X25519Recipient(public_key);
}

std::string X25519Recipient::to_string() const {
    return util::encode_bech32(k_recipient_hrp, m_public_key);
}

Result<Stanza> X25519Recipient::wrap(const FileKey& file_key) const {
    auto ephemeral = crypto::generate_x25519_private_key();
    if (!ephemeral) {
        return ephemeral.error();
    }
    auto pair = crypto::X25519KeyPair::load(*ephemeral);
    if (!pair) {
        return pair.error();
    }
    const crypto::X25519PublicKey& share = pair->public_key();
    auto shared = pair->shared_secret(m_public_key);
    if (!shared) {
        return shared.error();
    }
    auto wrap_key = derive_wrap_key(*shared, share, m_public_key);
    if (!wrap_key) {
        return wrap_key.error();
    }
    auto aead = crypto::ChaCha20Poly1305::create(wrap_key->bytes(), crypto::AeadDirection::seal);
    if (!aead) {
        return aead.error();
    }
    Stanza stanza{std::string(k_stanza_type), {util::encode_base64_unpadded(share)}, {}};
    stanza.body.resize(k_wrapped_key_size);
    if (auto sealed = aead->seal(k_zero_nonce, file_key.bytes(), stanza.body); !sealed) {
        return sealed.error();
    }
    return stanza;
}

Result<X25519Identity> X25519Identity::from_private_key(crypto::X25519PrivateKey private_key) {
    auto pair = crypto::X25519KeyPair::load(private_key);
    if (!pair) {
        return pair.error();
    }
    return X25519Identity(std::move(private_key), std::move(*pair));
}

Result<X25519Identity> X25519Identity::generate() {
    auto private_key = crypto::generate_x25519_private_key();
    if (!private_key) {
        return private_key.error();
    }
    return from_private_key(std::move(*private_key));
}

Result<X25519Identity> X25519Identity::parse(std::string_view text) {
    auto key = decode_key(text, k_identity_hrp, Errc::invalid_identity);
    if (!key) {
        return key.error();
    }
    const crypto::X25519PrivateKey private_key(
        std::span<const std::uint8_t, crypto::k_x25519_key_size>(key->data(), crypto::k_x25519_key_size));
    crypto::wipe(key->data(), key->size());
    return from_private_key(private_key);
}

std::string X25519Identity::to_string() const {
    std::string text = util::encode_bech32(k_identity_hrp, m_private_key.bytes());
    std::ranges::transform(text, text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

Result<std::optional<FileKey>> X25519Identity::unwrap(const Stanza& stanza) const {
    if (stanza.type != k_stanza_type) {
        return std::optional<FileKey>();
    }
    if (stanza.arguments.size() != 1) {
        return Errc::malformed_x25519_stanza;
    }
    auto share_bytes = util::decode_base64_strict(stanza.arguments[0]);
    if (!share_bytes || share_bytes->size() != crypto::k_x25519_key_size) {
        return Errc::malformed_x25519_stanza;
    }
    crypto::X25519PublicKey share{};
    std::ranges::copy(*share_bytes, share.begin());

    auto shared = m_key_pair.shared_secret(share);
    if (!shared) {
        return shared.error() == crypto::Errc::low_order_point ? ErrorCode(Errc::low_order_share) : shared.error();
    }
    if (stanza.body.size() != k_wrapped_key_size) {
        return Errc::invalid_file_key_size;
    }
    auto wrap_key = derive_wrap_key(*shared, share, m_recipient.public_key());
    if (!wrap_key) {
        return wrap_key.error();
    }
    auto aead = crypto::ChaCha20Poly1305::create(wrap_key->bytes(), crypto::AeadDirection::open);
    if (!aead) {
        return aead.error();
    }
    FileKey file_key;
    // A tag mismatch means the stanza is for another recipient, not that the file is broken.
    if (!aead->open(k_zero_nonce, stanza.body, file_key.bytes())) {
        return std::optional<FileKey>();
    }
    return std::optional<FileKey>(std::move(file_key));
}

} // namespace supportdrop::age
