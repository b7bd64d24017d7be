#include "age/encryptor.hpp"

#include "crypto/random.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

namespace supportdrop::age {
namespace {

// Where one call assembles what it seals: the held bytes, then the new chunks, written together
// in whole blocks.
util::ByteBuffer make_workspace(std::size_t chunks) {
    return util::ByteBuffer(util::k_max_write_alignment + chunks * k_sealed_chunk_size, util::k_max_write_alignment);
}

// The calling thread's workspace, shared by the encryptors that run on it, so that each holds
// only its current chunk between calls (32 uploads at once would otherwise hold 8 MiB).
constexpr std::size_t k_thread_workspace_chunks = 4;

std::span<std::uint8_t> thread_workspace() {
    thread_local util::ByteBuffer buffer = make_workspace(k_thread_workspace_chunks);
    return buffer;
}

} // namespace

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
    header.append(nonce.begin(), nonce.end());
    Encryptor encryptor(std::move(*file_key), nonce, std::move(*cipher), sink, header.size(), batch_chunks);
    if (auto held = encryptor.hold_header(util::bytes_of(header)); !held) {
        return held.error();
    }
    return encryptor;
}

Encryptor::Encryptor(FileKey file_key, const PayloadNonce& nonce, PayloadCipher cipher, util::ByteSink& sink,
                     std::uint64_t payload_offset, std::size_t batch_chunks)
    : m_file_key(std::move(file_key)), m_nonce(nonce), m_cipher(std::move(cipher)), m_sink(&sink),
      m_alignment(std::clamp<std::size_t>(sink.write_alignment(), 1, util::k_max_write_alignment)),
      m_payload_offset(payload_offset),
      m_held(util::k_max_write_alignment + k_sealed_chunk_size, util::k_max_write_alignment) {
    if (batch_chunks > 0) {
        m_own_workspace.emplace(make_workspace(batch_chunks));
    }
}

void Encryptor::populate_workspace() {
    if (m_own_workspace) {
        m_own_workspace->populate();
    }
}

std::span<std::uint8_t> Encryptor::workspace() {
    return m_own_workspace ? std::span<std::uint8_t>(*m_own_workspace) : thread_workspace();
}

Result<void> Encryptor::close_on_error(Result<void> result) {
    if (!result) {
        m_closed = true;
    }
    return result;
}

Result<void> Encryptor::hold_header(std::span<const std::uint8_t> header) {
    // A few hundred bytes; with very many recipients more than the workspace.
    const std::span<std::uint8_t> space = workspace();
    std::size_t complete = 0;
    do {
        const std::size_t n = std::min(header.size(), space.size() - complete);
        std::memcpy(space.data() + complete, header.data(), n);
        header = header.subspan(n);
        complete += n;
        auto rest = write_blocks_keeping_rest(space, complete);
        if (!rest) {
            return rest.error();
        }
        complete = *rest;
    } while (!header.empty());
    hold(space.first(complete), complete);
    return {};
}

Result<std::size_t> Encryptor::write_blocks(std::span<const std::uint8_t> space, std::size_t complete) {
    const std::size_t blocks = complete - complete % m_alignment;
    if (blocks > 0) {
        if (auto written = m_sink->write(space.first(blocks)); !written) {
            return written.error();
        }
    }
    return blocks;
}

Result<std::size_t> Encryptor::write_blocks_keeping_rest(std::span<std::uint8_t> space, std::size_t complete) {
    auto written = write_blocks(space, complete);
    if (!written) {
        return written.error();
    }
    std::memmove(space.data(), space.data() + *written, complete - *written);
    return complete - *written;
}

void Encryptor::hold(std::span<const std::uint8_t> bytes, std::size_t complete) {
    std::memcpy(m_held.data(), bytes.data(), bytes.size());
    m_held_complete = complete;
}

Result<void> Encryptor::write(std::span<const std::uint8_t> data) {
    if (m_closed) {
        return Errc::encryptor_closed;
    }
    if (data.empty()) {
        return {};
    }
    // A full chunk is sealed only once more data shows it is not the final one.
    const bool completes_a_chunk = m_filled + data.size() > k_chunk_size;
    return close_on_error(completes_a_chunk ? encrypt_assembled(data) : encrypt_held(data));
}

Result<void> Encryptor::begin_chunk_if_new() {
    if (m_filled > 0) {
        return {};
    }
    return m_cipher.begin_chunk(m_chunk_index, ChunkPosition::middle);
}

Result<void> Encryptor::encrypt_held(std::span<const std::uint8_t> data) {
    if (auto begun = begin_chunk_if_new(); !begun) {
        return begun;
    }
    const auto out = std::span(m_held).subspan(m_held_complete + m_filled, data.size());
    if (auto encrypted = m_cipher.update(data, out); !encrypted) {
        return encrypted;
    }
    m_filled += data.size();
    return {};
}

Result<void> Encryptor::encrypt_assembled(std::span<const std::uint8_t> data) {
    const std::span<std::uint8_t> space = workspace();
    std::memcpy(space.data(), m_held.data(), m_held_complete + m_filled);
    std::size_t complete = m_held_complete;
    while (!data.empty()) {
        if (m_filled == k_chunk_size) {
            const auto tag = space.subspan(complete + k_chunk_size).first<crypto::k_aead_tag_size>();
            if (auto finished = m_cipher.finish_chunk(tag); !finished) {
                return finished;
            }
            ++m_chunk_index;
            m_filled = 0;
            complete += k_sealed_chunk_size;
            if (space.size() - complete < k_sealed_chunk_size) {
                auto rest = write_blocks_keeping_rest(space, complete);
                if (!rest) {
                    return rest.error();
                }
                complete = *rest;
            }
        }
        if (auto begun = begin_chunk_if_new(); !begun) {
            return begun;
        }
        const std::size_t n = std::min(k_chunk_size - m_filled, data.size());
        if (auto encrypted = m_cipher.update(data.first(n), space.subspan(complete + m_filled, n)); !encrypted) {
            return encrypted;
        }
        m_filled += n;
        data = data.subspan(n);
    }
    auto written = write_blocks(space, complete);
    if (!written) {
        return written.error();
    }
    hold(space.subspan(*written, complete - *written + m_filled), complete - *written);
    return {};
}

Result<void> Encryptor::seal_final_chunk(std::span<std::uint8_t> chunk) {
    if (!chunk.empty()) {
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
    const auto sealed = std::span(chunk.data(), chunk.size() + crypto::k_aead_tag_size);
    return m_cipher.seal_chunk(m_chunk_index, ChunkPosition::last, chunk, sealed);
}

Result<void> Encryptor::finish() {
    if (m_closed) {
        return Errc::encryptor_closed;
    }
    m_closed = true;
    if (auto sealed = seal_final_chunk(std::span(m_held).subspan(m_held_complete, m_filled)); !sealed) {
        return sealed;
    }
    // Everything held is complete now: its whole blocks, then the rest.
    const auto rest = std::span<const std::uint8_t>(m_held).first(m_held_complete + m_filled + crypto::k_aead_tag_size);
    auto written = write_blocks(rest, rest.size());
    if (!written) {
        return written.error();
    }
    m_filled = 0;
    if (*written == rest.size()) {
        return {};
    }
    return m_sink->write(rest.subspan(*written));
}

} // namespace supportdrop::age
