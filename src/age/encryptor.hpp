#pragma once
// Streaming age encryption with constant memory: header, then 64 KiB STREAM chunks as data
// arrives.

#include "age/payload_cipher.hpp"
#include "age/x25519_keys.hpp"
#include "util/byte_buffer.hpp"
#include "util/byte_stream.hpp"

#include <optional>
#include <span>

namespace supportdrop::age {

// The bytes an Encryptor writes after its payload_offset() for `plaintext_size` bytes: every
// chunk with its tag, an empty payload being one empty chunk.
constexpr std::uint64_t sealed_payload_size(std::uint64_t plaintext_size) {
    const std::uint64_t chunks = plaintext_size == 0 ? 1 : (plaintext_size + k_chunk_size - 1) / k_chunk_size;
    return plaintext_size + chunks * crypto::k_aead_tag_size;
}

// Seals a byte stream to one or more recipients into `sink`. Data is encrypted as it arrives,
// straight from the caller's buffers, as if the current chunk were a middle chunk; finish()
// re-seals that one chunk as the final chunk (the STREAM nonce carries the flag, and only
// finish() knows). Between calls an encryptor holds the current chunk and the sealed bytes before
// it that do not fill a block of the sink's write alignment (68 KiB at most); the chunks that one
// write() completes are assembled in a workspace and written together, in whole blocks. A file
// takes one large write for less CPU than many of 64 KiB, and one of whole pages, which can
// bypass its page cache, for less still. After any error the encryptor is closed. Not
// thread-safe.
class Encryptor {
public:
    // Seals the header and the payload nonce for `sink`, which must outlive the encryptor; they
    // reach it with the first whole block. The workspace is the calling thread's, for four chunks
    // (256 KiB), unless `batch_chunks` asks for one of the encryptor's own, for that many: larger
    // writes for more memory (one 50 MiB upload alone, with 16: 5% less CPU and 6% less time).
    // Fails with Errc::no_recipients, a crypto error, or a sink error.
    static Result<Encryptor> start(std::span<const X25519Recipient> recipients, util::ByteSink& sink,
                                   std::size_t batch_chunks = 0);

    // Encrypts `data`, and writes what is complete (the chunks known not to be the last) in whole
    // blocks.
    Result<void> write(std::span<const std::uint8_t> data);

    // Seals the final chunk and writes the rest; the encryptor is closed afterwards.
    Result<void> finish();

    // Assembles in the calling thread's workspace from now on, and frees its own (if any): for
    // when memory comes to count more than the size of writes.
    void share_workspace() { m_own_workspace.reset(); }

    // Maps the whole buffer of its own (start()'s batch_chunks) now (util::ByteBuffer::populate):
    // for an upload that will fill it many times. Nothing without one.
    void populate_workspace();

    // The file key, for reading back chunks already written with RandomAccessReader while the
    // stream is in progress. Whoever copies it decides when it is destroyed.
    const FileKey& file_key() const { return m_file_key; }

    // Bytes of header and nonce before the first chunk.
    std::uint64_t payload_offset() const { return m_payload_offset; }

private:
    Encryptor(FileKey file_key, const PayloadNonce& nonce, PayloadCipher cipher, util::ByteSink& sink,
              std::uint64_t payload_offset, std::size_t batch_chunks);
    std::span<std::uint8_t> workspace();
    Result<void> hold_header(std::span<const std::uint8_t> header);
    // Begins the current chunk (as a middle chunk) if nothing of it is encrypted yet.
    Result<void> begin_chunk_if_new();
    // Encrypts into the held current chunk, for data that does not complete it.
    Result<void> encrypt_held(std::span<const std::uint8_t> data);
    // Encrypts into the workspace, starting with the held bytes, and writes the complete ones.
    Result<void> encrypt_assembled(std::span<const std::uint8_t> data);
    Result<void> seal_final_chunk(std::span<std::uint8_t> chunk);
    // Writes the whole blocks of `space`'s first `complete` bytes; returns how many bytes that was.
    Result<std::size_t> write_blocks(std::span<const std::uint8_t> space, std::size_t complete);
    // The same, then moves the rest of the `complete` bytes to the front; returns how many those are.
    Result<std::size_t> write_blocks_keeping_rest(std::span<std::uint8_t> space, std::size_t complete);
    // Keeps `bytes`: `complete` sealed bytes, then the current chunk as far as it is encrypted.
    void hold(std::span<const std::uint8_t> bytes, std::size_t complete);
    Result<void> close_on_error(Result<void> result);

    FileKey m_file_key;
    PayloadNonce m_nonce;
    PayloadCipher m_cipher;
    util::ByteSink* m_sink;
    std::size_t m_alignment;
    std::uint64_t m_payload_offset;
    std::optional<util::ByteBuffer> m_own_workspace;
    util::ByteBuffer m_held;         // sealed bytes short of a block, then the current chunk
    std::size_t m_held_complete = 0; // the sealed bytes in m_held
    std::size_t m_filled = 0;        // bytes of the current chunk encrypted so far
    std::uint64_t m_chunk_index = 0;
    bool m_closed = false;
};

} // namespace supportdrop::age
