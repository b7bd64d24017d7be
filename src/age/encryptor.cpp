#include "age/encryptor.hpp"

#include "crypto/random.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <vector>

namespace supportdrop::age {

Result<Encryptor> Encryptor::start(std::span<const X25519Recipient> recipients, util::ByteSink& sink,
                                   std::size_t batch_chunks) {
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
    auto mac = compute_header_mac(*file_key, util::bytes_of(header));
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
    if (auto written = sink.write(util::bytes_of(header)); !written) {
        return written.error();
    }
    if (auto written = sink.write(nonce); !written) {
        return written.error();
    }
    return Encryptor(std::move(*file_key), nonce, std::move(*cipher), sink, header.size() + nonce.size(),
                     std::max<std::size_t>(batch_chunks, 1));
}

Encryptor::Encryptor(FileKey file_key, const PayloadNonce& nonce, PayloadCipher cipher, util::ByteSink& sink,
                     std::uint64_t payload_offset, std::size_t batch_chunks)
    : m_file_key(std::move(file_key)), m_nonce(nonce), m_cipher(std::move(cipher)), m_sink(&sink),
      m_payload_offset(payload_offset), m_sealed(batch_chunks * k_sealed_chunk_size) {}

std::span<std::uint8_t> Encryptor::current_chunk() {
    return std::span(m_sealed).subspan(m_batched * k_sealed_chunk_size, k_sealed_chunk_size);
}

Result<void> Encryptor::close_on_error(Result<void> result) {
    if (!result) {
        m_closed = true;
    }
    return result;
}

Result<void> Encryptor::complete_chunk() {
    const auto tag = current_chunk().subspan<k_chunk_size, crypto::k_aead_tag_size>();
    if (auto finished = m_cipher.finish_chunk(tag); !finished) {
        return finished;
    }
    ++m_chunk_index;
    m_filled = 0;
    if (++m_batched * k_sealed_chunk_size == m_sealed.size()) {
        if (auto written = m_sink->write(m_sealed); !written) {
            return written;
        }
        m_batched = 0;
    }
    return {};
}

Result<void> Encryptor::write(std::span<const std::uint8_t> data) {
    if (m_closed) {
        return Errc::encryptor_closed;
    }
    while (!data.empty()) {
        // A full chunk is sealed only now that more data shows it is not the final one.
        if (m_filled == k_chunk_size) {
            if (auto completed = complete_chunk(); !completed) {
                return close_on_error(completed);
            }
        }
        if (m_filled == 0) {
            if (auto begun = m_cipher.begin_chunk(m_chunk_index, ChunkPosition::middle); !begun) {
                return close_on_error(begun);
            }
        }
        const std::size_t n = std::min(k_chunk_size - m_filled, data.size());
        if (auto encrypted = m_cipher.update(data.first(n), current_chunk().subspan(m_filled, n)); !encrypted) {
            return close_on_error(encrypted);
        }
        m_filled += n;
        data = data.subspan(n);
    }
    return {};
}

Result<void> Encryptor::write_final_chunk() {
    const std::span<std::uint8_t> chunk = current_chunk().first(m_filled);
    if (m_filled > 0) {
        // The chunk was encrypted as a middle chunk. ChaCha20 decryption under the same nonce
        // gives the plaintext back, which is then sealed again under the final-chunk nonce.
        auto recovery = PayloadCipher::create(m_file_key, m_nonce, crypto::AeadDirection::open);
        if (!recovery) {
            return recovery.error();
        }
        if (auto begun = recovery->begin_chunk(m_chunk_index, ChunkPosition::middle); !begun) {
            return begun;
        }
        if (auto recovered = recovery->update(chunk, chunk); !recovered) {
            return recovered;
        }
    }
    const std::span<std::uint8_t> sealed = current_chunk().first(m_filled + crypto::k_aead_tag_size);
    if (auto resealed = m_cipher.seal_chunk(m_chunk_index, ChunkPosition::last, chunk, sealed); !resealed) {
        return resealed;
    }
    // The batch's complete chunks and the final one, in one write.
    return m_sink->write(std::span(m_sealed).first(m_batched * k_sealed_chunk_size + sealed.size()));
}

Result<void> Encryptor::finish() {
    if (m_closed) {
        return Errc::encryptor_closed;
    }
    auto written = write_final_chunk();
    m_closed = true;
    m_filled = 0;
    return written;
}

} // namespace supportdrop::age
