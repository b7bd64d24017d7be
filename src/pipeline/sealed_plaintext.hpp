#pragma once
// The plaintext of an upload that rests sealed, for the archive inspector: read back chunk by
// chunk through the upload's file key while the receiver still holds it.

#include "age/random_access_reader.hpp"
#include "util/byte_stream.hpp"

namespace supportdrop::pipeline {

// Not thread-safe. `sealed` (the age file) must outlive it.
class SealedPlaintext final : public util::RandomAccessSource {
public:
    // Fails like age::RandomAccessReader::open.
    static util::Result<SealedPlaintext> open(util::RandomAccessSource& sealed, const age::FileKey& file_key,
                                              std::uint64_t plaintext_size);

    util::Result<std::uint64_t> size() override { return m_size; }
    // Reads through the chunks; a chunk that does not authenticate fails the read.
    util::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override;

private:
    SealedPlaintext(age::RandomAccessReader reader, std::uint64_t size) : m_reader(std::move(reader)), m_size(size) {}

    age::RandomAccessReader m_reader;
    std::uint64_t m_size;
    std::uint64_t m_chunk_index = UINT64_MAX; // the chunk m_chunk holds
    std::span<const std::uint8_t> m_chunk;
};

} // namespace supportdrop::pipeline
