#pragma once
// Streaming age decryption with constant memory and every check of c2sp.org/age.

#include "age/payload_cipher.hpp"
#include "age/x25519_keys.hpp"
#include "util/byte_buffer.hpp"
#include "util/byte_stream.hpp"

#include <memory>
#include <span>

namespace supportdrop::age {

// Opens an age file chunk by chunk. Each released chunk is authenticated; a damaged or
// truncated file fails at the chunk where the damage is, so callers must treat output as
// provisional until read_chunk() has returned the empty end marker. Not thread-safe.
class Decryptor {
public:
    // Reads the header from `source` (which must outlive the decryptor), finds a stanza that one
    // of `identities` opens, checks the header MAC and reads the payload nonce. Fails with a
    // header error, Errc::no_identity_matched, header_mac_mismatch, or an unsupported kind.
    static Result<Decryptor> open(util::ByteSource& source, std::span<const X25519Identity> identities);

    // The next chunk of plaintext, valid until the next call. An empty span marks the end of a
    // complete, intact payload. Fails with a payload error; after an error, keeps failing.
    Result<std::span<const std::uint8_t>> read_chunk();

private:
    enum class State { reading, trailing_data, done, failed };

    Decryptor(std::unique_ptr<util::PrefixedSource> source, PayloadCipher cipher);

    std::unique_ptr<util::PrefixedSource> m_source; // header bytes read ahead, then the caller's source
    PayloadCipher m_cipher;
    util::ByteBuffer m_sealed;
    util::ByteBuffer m_plain;
    std::uint64_t m_chunk_index = 0;
    State m_state = State::reading;
    ErrorCode m_error;
};

} // namespace supportdrop::age
