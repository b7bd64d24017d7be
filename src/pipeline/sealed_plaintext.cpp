#include "pipeline/sealed_plaintext.hpp"

#include <algorithm>
#include <cstring>

namespace supportdrop::pipeline {

util::Result<SealedPlaintext> SealedPlaintext::open(util::RandomAccessSource& sealed, const age::FileKey& file_key,
                                                    std::uint64_t plaintext_size) {
    auto reader = age::RandomAccessReader::open(sealed, file_key);
    if (!reader) {
        return reader.error();
    }
    return SealedPlaintext(std::move(*reader), plaintext_size);
}

util::Result<std::size_t> SealedPlaintext::read_at(std::uint64_t offset, std::span<std::uint8_t> out) {
    std::size_t filled = 0;
    while (filled < out.size() && offset + filled < m_size) {
        const std::uint64_t position = offset + filled;
        const std::uint64_t index = position / age::k_chunk_size;
        if (position % age::k_chunk_size == 0 && out.size() - filled >= age::k_chunk_size) {
            // A whole chunk wanted: decrypted straight into place, without a copy.
            auto n = m_reader.read_chunk_into(index, out.subspan(filled));
            if (!n) {
                return n.error();
            }
            filled += *n;
            if (*n < age::k_chunk_size) {
                break; // the final chunk
            }
            continue;
        }
        if (index != m_chunk_index) {
            auto chunk = m_reader.read_chunk(index);
            if (!chunk) {
                return chunk.error();
            }
            m_chunk = *chunk; // valid until the reader's next read
            m_chunk_index = index;
        }
        const std::size_t within = static_cast<std::size_t>(position % age::k_chunk_size);
        if (within >= m_chunk.size()) {
            break;
        }
        const std::size_t n = std::min(out.size() - filled, m_chunk.size() - within);
        std::memcpy(out.data() + filled, m_chunk.data() + within, n);
        filled += n;
    }
    return filled;
}

} // namespace supportdrop::pipeline
