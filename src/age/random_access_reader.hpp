#pragma once
// Reads chunks of an age file by index when its file key is known, e.g. an upload that is
// still being written by an Encryptor in this process.

#include "age/payload_cipher.hpp"
#include "util/byte_buffer.hpp"
#include "util/byte_stream.hpp"

#include <optional>
#include <span>

namespace supportdrop::age {

// Chunk-level random access over a source it does not own (e.g. a file read with pread, so that
// a writer may append meanwhile). Not thread-safe.
class RandomAccessReader {
public:
    // Reads the header at offset 0, checks its MAC under `file_key` and reads the nonce.
    // Fails with a header error, Errc::header_mac_mismatch, missing_nonce or a system error.
    static Result<RandomAccessReader> open(util::RandomAccessSource& file, const FileKey& file_key);

    std::uint64_t payload_offset() const { return m_payload_offset; }

    // The number of whole sealed chunks the file holds now.
    Result<std::uint64_t> complete_chunks();

    // The plaintext of chunk `index`, valid until the next call. A chunk that reaches the
    // current end of the file is accepted as a middle or as the final chunk, so an in-progress
    // file reads the same as a finished one. Fails with Errc::payload_truncated when the chunk
    // is not in the file, payload_authentication_failed when it does not authenticate.
    Result<std::span<const std::uint8_t>> read_chunk(std::uint64_t index);

    // The same, decrypted into `out` (at least k_chunk_size bytes); returns the chunk's size.
    Result<std::size_t> read_chunk_into(std::uint64_t index, std::span<std::uint8_t> out);

private:
    RandomAccessReader(util::RandomAccessSource& file, std::uint64_t payload_offset, PayloadCipher cipher);

    util::RandomAccessSource* m_file;
    std::uint64_t m_payload_offset;
    PayloadCipher m_cipher;
    util::ByteBuffer m_sealed;
    std::optional<util::ByteBuffer> m_plain; // only for read_chunk()
};

} // namespace supportdrop::age
