#pragma once
// Streaming age encryption with constant memory: header, then 64 KiB STREAM chunks as data
// arrives.

#include "age/payload_cipher.hpp"
#include "age/x25519_keys.hpp"
#include "util/byte_buffer.hpp"
#include "util/byte_stream.hpp"

#include <span>

namespace supportdrop::age {

// Seals a byte stream to one or more recipients into `sink`, with the memory of one chunk
// (64 KiB) or of a batch of them. Data is encrypted as it arrives, straight from the caller's
// buffers, as if the current chunk were a middle chunk; finish() re-seals that one chunk as the
// final chunk (the STREAM nonce carries the flag, and only finish() knows). After any error the
// encryptor is closed. Not thread-safe.
class Encryptor {
public:
    // Writes the header and the payload nonce to `sink`, which must outlive the encryptor.
    // Sealed chunks go to the sink `batch_chunks` at a time: a file system takes one large write
    // for less CPU than many of 64 KiB (ext4, one 50 MiB upload: 8-14% less of the server's CPU
    // with batches of 1 MiB), for that much more memory. Fails with Errc::no_recipients, a sink
    // error, or a crypto error.
    static Result<Encryptor> start(std::span<const X25519Recipient> recipients, util::ByteSink& sink,
                                   std::size_t batch_chunks = 1);

    // Encrypts `data`, writing the chunks that are complete and known not to be the last once
    // a batch of them is.
    Result<void> write(std::span<const std::uint8_t> data);

    // Writes the final chunk; the encryptor is closed afterwards.
    Result<void> finish();

    // The file key, for reading back chunks already written with RandomAccessReader while the
    // stream is in progress. Whoever copies it decides when it is destroyed.
    const FileKey& file_key() const { return m_file_key; }

    // Bytes of header and nonce before the first chunk.
    std::uint64_t payload_offset() const { return m_payload_offset; }

private:
    Encryptor(FileKey file_key, const PayloadNonce& nonce, PayloadCipher cipher, util::ByteSink& sink,
              std::uint64_t payload_offset, std::size_t batch_chunks);
    // The current chunk's place in the batch: its ciphertext, then its tag.
    std::span<std::uint8_t> current_chunk();
    Result<void> complete_chunk();
    Result<void> write_final_chunk();
    Result<void> close_on_error(Result<void> result);

    FileKey m_file_key;
    PayloadNonce m_nonce;
    PayloadCipher m_cipher;
    util::ByteSink* m_sink;
    std::uint64_t m_payload_offset;
    util::ByteBuffer m_sealed; // the batch: complete chunks, then the current one
    std::size_t m_batched = 0; // complete chunks in the batch, not yet written
    std::size_t m_filled = 0;  // bytes of the current chunk encrypted so far
    std::uint64_t m_chunk_index = 0;
    bool m_closed = false;
};

} // namespace supportdrop::age
