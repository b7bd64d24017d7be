#include "age/decryptor.hpp"

#include <algorithm>
#include <vector>

namespace supportdrop::age {
namespace {

constexpr std::size_t k_header_read_size = 4096;

struct ReadHeader {
    Header header;
    std::vector<std::uint8_t> bytes; // the header, and whatever was read after it
};

// Reads until the header parses, fails, or exceeds k_max_header_size.
Result<ReadHeader> read_header(util::ByteSource& source) {
    ReadHeader read;
    for (;;) {
        const std::size_t old_size = read.bytes.size();
        read.bytes.resize(old_size + k_header_read_size);
        auto n = source.read(std::span(read.bytes).subspan(old_size));
        if (!n) {
            return n.error();
        }
        read.bytes.resize(old_size + *n);
        auto header = parse_header(read.bytes);
        if (header) {
            read.header = std::move(*header);
            return read;
        }
        if (header.error() != Errc::header_truncated || *n == 0) {
            return header.error();
        }
        if (read.bytes.size() > k_max_header_size) {
            return Errc::header_too_large;
        }
    }
}

// Tries every identity on every stanza (c2sp.org/age: the first that opens wins).
Result<FileKey> unwrap_file_key(const Header& header, std::span<const X25519Identity> identities) {
    const bool has_scrypt =
        std::ranges::any_of(header.stanzas, [](const Stanza& stanza) { return stanza.type == "scrypt"; });
    if (has_scrypt && header.stanzas.size() != 1) {
        return Errc::scrypt_not_alone;
    }
    for (const Stanza& stanza : header.stanzas) {
        for (const X25519Identity& identity : identities) {
            auto file_key = identity.unwrap(stanza);
            if (!file_key) {
                return file_key.error();
            }
            if (*file_key) {
                return std::move(**file_key);
            }
        }
    }
    return has_scrypt ? Errc::scrypt_unsupported : Errc::no_identity_matched;
}

} // namespace

Result<Decryptor> Decryptor::open(util::ByteSource& source, std::span<const X25519Identity> identities) {
    auto read = read_header(source);
    if (!read) {
        return read.error();
    }
    auto file_key = unwrap_file_key(read->header, identities);
    if (!file_key) {
        return file_key.error();
    }
    if (auto verified = verify_header_mac(*file_key, read->header, read->bytes); !verified) {
        return verified.error();
    }
    read->bytes.erase(read->bytes.begin(), read->bytes.begin() + static_cast<std::ptrdiff_t>(read->header.size));
    auto payload = std::make_unique<util::PrefixedSource>(std::move(read->bytes), source);

    PayloadNonce nonce{};
    auto n = util::read_full(*payload, nonce);
    if (!n) {
        return n.error();
    }
    if (*n != nonce.size()) {
        return Errc::missing_nonce;
    }
    auto cipher = PayloadCipher::create(*file_key, nonce, crypto::AeadDirection::open);
    if (!cipher) {
        return cipher.error();
    }
    return Decryptor(std::move(payload), std::move(*cipher));
}

Decryptor::Decryptor(std::unique_ptr<util::PrefixedSource> source, PayloadCipher cipher)
    : m_source(std::move(source)), m_cipher(std::move(cipher)), m_sealed(k_sealed_chunk_size), m_plain(k_chunk_size) {}

Result<std::span<const std::uint8_t>> Decryptor::read_chunk() {
    switch (m_state) {
    case State::done: return std::span<const std::uint8_t>();
    case State::failed: return m_error;
    case State::trailing_data:
        m_state = State::failed;
        m_error = Errc::payload_trailing_data;
        return m_error;
    case State::reading: break;
    }
    const auto fail = [this](ErrorCode error) -> Result<std::span<const std::uint8_t>> {
        m_state = State::failed;
        m_error = error;
        return error;
    };

    auto n = util::read_full(*m_source, m_sealed);
    if (!n) {
        return fail(n.error());
    }
    // The STREAM rules as the reference implementation applies them: a short read is the final
    // chunk; a full one is a middle chunk unless it only opens as the final one.
    if (*n == 0) {
        return fail(Errc::payload_truncated);
    }
    const std::span<const std::uint8_t> sealed(m_sealed.data(), *n);
    ChunkPosition position = *n < k_sealed_chunk_size ? ChunkPosition::last : ChunkPosition::middle;
    if (position == ChunkPosition::last && *n == crypto::k_aead_tag_size && m_chunk_index > 0) {
        return fail(Errc::payload_empty_last_chunk);
    }
    bool opened = m_cipher.open_chunk(m_chunk_index, position, sealed, m_plain);
    if (!opened && position == ChunkPosition::middle) {
        position = ChunkPosition::last;
        opened = m_cipher.open_chunk(m_chunk_index, position, sealed, m_plain);
    }
    if (!opened) {
        return fail(*n < crypto::k_aead_tag_size ? Errc::payload_truncated : Errc::payload_authentication_failed);
    }
    ++m_chunk_index;
    const std::span<const std::uint8_t> plaintext(m_plain.data(), *n - crypto::k_aead_tag_size);

    if (position == ChunkPosition::last) {
        std::uint8_t probe = 0;
        auto extra = m_source->read(std::span(&probe, 1));
        if (!extra) {
            return fail(extra.error());
        }
        // Only a full-size final chunk gets here with data after it (a short read takes all
        // there is). It is released first; the next call reports the trailing data.
        m_state = *extra == 0 ? State::done : State::trailing_data;
    }
    return plaintext;
}

} // namespace supportdrop::age
