#include "age/random_access_reader.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace supportdrop::age {

Result<RandomAccessReader> RandomAccessReader::open(util::RandomAccessSource& file, const FileKey& file_key) {
    // Headers are a few hundred bytes: a small read first, the largest allowed only if needed
    // (reading and zeroing 64 KiB for every upload it inspects showed in the receiver's profile).
    constexpr std::array<std::size_t, 2> k_read_sizes = {4096, k_max_header_size + k_payload_nonce_size};
    std::vector<std::uint8_t> bytes;
    Result<Header> header = Errc::header_truncated;
    for (const std::size_t read_size : k_read_sizes) {
        bytes.resize(read_size);
        auto n = file.read_at(0, bytes);
        if (!n) {
            return n.error();
        }
        bytes.resize(*n);
        header = parse_header(bytes);
        if (header || header.error() != Errc::header_truncated || *n < read_size) {
            break;
        }
    }
    if (!header) {
        return header.error();
    }
    if (auto verified = verify_header_mac(file_key, *header, bytes); !verified) {
        return verified.error();
    }
    if (bytes.size() < header->size + k_payload_nonce_size) {
        return Errc::missing_nonce;
    }
    PayloadNonce nonce{};
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(header->size), nonce.size(), nonce.begin());
    auto cipher = PayloadCipher::create(file_key, nonce, crypto::AeadDirection::open);
    if (!cipher) {
        return cipher.error();
    }
    return RandomAccessReader(file, header->size + k_payload_nonce_size, std::move(*cipher));
}

RandomAccessReader::RandomAccessReader(util::RandomAccessSource& file, std::uint64_t payload_offset,
                                       PayloadCipher cipher)
    : m_file(&file), m_payload_offset(payload_offset), m_cipher(std::move(cipher)), m_sealed(k_sealed_chunk_size) {}

Result<std::uint64_t> RandomAccessReader::complete_chunks() {
    auto size = m_file->size();
    if (!size) {
        return size.error();
    }
    return *size < m_payload_offset ? 0 : (*size - m_payload_offset) / k_sealed_chunk_size;
}

Result<std::span<const std::uint8_t>> RandomAccessReader::read_chunk(std::uint64_t index) {
    if (!m_plain) {
        m_plain.emplace(k_chunk_size); // only for callers that do not decrypt into place
    }
    auto n = read_chunk_into(index, *m_plain);
    if (!n) {
        return n.error();
    }
    return std::span<const std::uint8_t>(m_plain->data(), *n);
}

Result<std::size_t> RandomAccessReader::read_chunk_into(std::uint64_t index, std::span<std::uint8_t> out) {
    const std::uint64_t offset = m_payload_offset + index * k_sealed_chunk_size;
    auto n = m_file->read_at(offset, m_sealed);
    if (!n) {
        return n.error();
    }
    if (*n < crypto::k_aead_tag_size || out.size() < k_chunk_size) {
        return Errc::payload_truncated;
    }
    const std::span<const std::uint8_t> sealed(m_sealed.data(), *n);
    const std::span<std::uint8_t> plain = out.first(*n - crypto::k_aead_tag_size);
    bool opened = *n == k_sealed_chunk_size && m_cipher.open_chunk(index, ChunkPosition::middle, sealed, plain);
    if (!opened) {
        auto size = m_file->size();
        if (!size) {
            return size.error();
        }
        const bool reaches_end = offset + *n == *size;
        opened = reaches_end && m_cipher.open_chunk(index, ChunkPosition::last, sealed, plain);
    }
    if (!opened) {
        return Errc::payload_authentication_failed;
    }
    return plain.size();
}

} // namespace supportdrop::age
