#include "age/encryptor.hpp"

#include "crypto/random.hpp"

#include <algorithm>
#include <cstring>

namespace supportdrop::age {
namespace {

std::span<const std::uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

} // namespace

Result<Encryptor> Encryptor::start(std::span<const X25519Recipient> recipients, util::ByteSink& sink) {
    if (recipients.empty()) {
        return Errc::no_recipients;
    }
    auto file_key = generate_file_key();
    if (!file_key) {
        return file_key.error();
    }
    std::vector<Stanza> stanzas;
    for (const X25519Recipient& recipient : recipients) {
        auto stanza = recipient.wrap(*file_key);
        if (!stanza) {
            return stanza.error();
        }
        stanzas.push_back(std::move(*stanza));
    }
    std::string header = serialize_header_without_mac(stanzas);
    auto mac = compute_header_mac(*file_key, as_bytes(header));
    if (!mac) {
        return mac.error();
    }
    header += serialize_mac_suffix(*mac);

    PayloadNonce nonce{};
    if (auto filled = crypto::fill_random(nonce); !filled) {
        return filled.error();
    }
    auto cipher = PayloadCipher::create(*file_key, nonce, crypto::AeadDirection::seal);
    if (!cipher) {
        return cipher.error();
    }
    if (auto written = sink.write(as_bytes(header)); !written) {
        return written.error();
    }
    if (auto written = sink.write(nonce); !written) {
        return written.error();
    }
    return Encryptor(std::move(*file_key), std::move(*cipher), sink, header.size() + nonce.size());
}

Encryptor::Encryptor(FileKey file_key, PayloadCipher cipher, util::ByteSink& sink, std::uint64_t payload_offset)
    : m_file_key(std::move(file_key)), m_cipher(std::move(cipher)), m_sink(&sink), m_payload_offset(payload_offset),
      m_buffer(k_sealed_chunk_size) {}

Result<void> Encryptor::seal_and_write(std::span<const std::uint8_t> plaintext, ChunkPosition position) {
    const std::span<std::uint8_t> sealed(m_buffer.data(), plaintext.size() + crypto::k_aead_tag_size);
    auto result = m_cipher.seal_chunk(m_chunk_index, position, plaintext, sealed);
    if (result) {
        result = m_sink->write(sealed);
    }
    if (!result) {
        m_closed = true;
        return result;
    }
    ++m_chunk_index;
    return {};
}

Result<void> Encryptor::write(std::span<const std::uint8_t> data) {
    if (m_closed) {
        return Errc::encryptor_closed;
    }
    while (!data.empty()) {
        if (m_buffered == k_chunk_size) {
            if (auto sealed = seal_and_write(std::span(m_buffer).first(k_chunk_size), ChunkPosition::middle); !sealed) {
                return sealed;
            }
            m_buffered = 0;
        }
        // A whole chunk with more input after it is sealed straight from the input, saving a copy.
        if (m_buffered == 0 && data.size() > k_chunk_size) {
            if (auto sealed = seal_and_write(data.first(k_chunk_size), ChunkPosition::middle); !sealed) {
                return sealed;
            }
            data = data.subspan(k_chunk_size);
            continue;
        }
        const std::size_t n = std::min(k_chunk_size - m_buffered, data.size());
        std::memcpy(m_buffer.data() + m_buffered, data.data(), n);
        m_buffered += n;
        data = data.subspan(n);
    }
    return {};
}

Result<void> Encryptor::finish() {
    if (m_closed) {
        return Errc::encryptor_closed;
    }
    auto sealed = seal_and_write(std::span(m_buffer).first(m_buffered), ChunkPosition::last);
    m_closed = true;
    m_buffered = 0;
    return sealed;
}

} // namespace supportdrop::age
