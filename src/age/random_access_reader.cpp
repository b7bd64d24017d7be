#include "age/random_access_reader.hpp"

#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

namespace supportdrop::age {
namespace {

// Reads up to out.size() bytes at `offset`; fewer only at the end of the file.
Result<std::size_t> pread_full(int fd, std::span<std::uint8_t> out, std::uint64_t offset) {
    std::size_t filled = 0;
    while (filled < out.size()) {
        const ssize_t n = ::pread(fd, out.data() + filled, out.size() - filled, static_cast<off_t>(offset + filled));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return util::last_system_error();
        }
        if (n == 0) {
            break;
        }
        filled += static_cast<std::size_t>(n);
    }
    return filled;
}

} // namespace

Result<RandomAccessReader> RandomAccessReader::open(int fd, const FileKey& file_key) {
    std::vector<std::uint8_t> bytes(k_max_header_size + k_payload_nonce_size);
    auto n = pread_full(fd, bytes, 0);
    if (!n) {
        return n.error();
    }
    bytes.resize(*n);
    auto header = parse_header(bytes);
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
    return RandomAccessReader(fd, header->size + k_payload_nonce_size, std::move(*cipher));
}

RandomAccessReader::RandomAccessReader(int fd, std::uint64_t payload_offset, PayloadCipher cipher)
    : m_fd(fd), m_payload_offset(payload_offset), m_cipher(std::move(cipher)), m_sealed(k_sealed_chunk_size),
      m_plain(k_chunk_size) {}

Result<std::uint64_t> RandomAccessReader::file_size() const {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) {
        return util::last_system_error();
    }
    return static_cast<std::uint64_t>(st.st_size);
}

Result<std::uint64_t> RandomAccessReader::complete_chunks() const {
    auto size = file_size();
    if (!size) {
        return size.error();
    }
    return *size < m_payload_offset ? 0 : (*size - m_payload_offset) / k_sealed_chunk_size;
}

Result<std::span<const std::uint8_t>> RandomAccessReader::read_chunk(std::uint64_t index) {
    const std::uint64_t offset = m_payload_offset + index * k_sealed_chunk_size;
    auto n = pread_full(m_fd, m_sealed, offset);
    if (!n) {
        return n.error();
    }
    if (*n < crypto::k_aead_tag_size) {
        return Errc::payload_truncated;
    }
    const std::span<const std::uint8_t> sealed(m_sealed.data(), *n);
    bool opened = *n == k_sealed_chunk_size && m_cipher.open_chunk(index, ChunkPosition::middle, sealed, m_plain);
    if (!opened) {
        auto size = file_size();
        if (!size) {
            return size.error();
        }
        const bool reaches_end = offset + *n == *size;
        opened = reaches_end && m_cipher.open_chunk(index, ChunkPosition::last, sealed, m_plain);
    }
    if (!opened) {
        return Errc::payload_authentication_failed;
    }
    return std::span<const std::uint8_t>(m_plain.data(), *n - crypto::k_aead_tag_size);
}

} // namespace supportdrop::age
