#include "age/decryptor.hpp"
#include "age/encryptor.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace supportdrop::age {
namespace {

struct Sealed {
    X25519Identity identity;
    std::vector<std::uint8_t> plaintext;
    std::vector<std::uint8_t> file;
};

Sealed make_sealed(std::size_t size) {
    Sealed sealed{X25519Identity::generate().value(), test::pattern_bytes(size), {}};
    util::VectorSink sink(sealed.file);
    auto encryptor = Encryptor::start(std::span(&sealed.identity.recipient(), 1), sink).value();
    EXPECT_TRUE(encryptor.write(sealed.plaintext));
    EXPECT_TRUE(encryptor.finish());
    return sealed;
}

// Decrypts `file` to its end and returns the error, if any, and what was released.
std::pair<ErrorCode, std::vector<std::uint8_t>> drain(std::span<const std::uint8_t> file,
                                                      const X25519Identity& identity) {
    util::SpanSource source(file);
    auto decryptor = Decryptor::open(source, std::span(&identity, 1));
    if (!decryptor) {
        return {decryptor.error(), {}};
    }
    std::vector<std::uint8_t> released;
    for (;;) {
        auto chunk = decryptor->read_chunk();
        if (!chunk) {
            // Errors are sticky.
            EXPECT_EQ(decryptor->read_chunk().error(), chunk.error());
            return {chunk.error(), released};
        }
        if (chunk->empty()) {
            return {{}, released};
        }
        released.insert(released.end(), chunk->begin(), chunk->end());
    }
}

TEST(Decryptor, DetectsTruncationAtEveryChunkBoundary) {
    const Sealed sealed = make_sealed(3 * k_chunk_size);
    const std::size_t payload_start = sealed.file.size() - 3 * k_sealed_chunk_size;
    for (const std::size_t cut : {payload_start, payload_start + k_sealed_chunk_size,
                                  payload_start + 2 * k_sealed_chunk_size, sealed.file.size() - 1, payload_start + 7}) {
        const auto [error, released] = drain(std::span(sealed.file).first(cut), sealed.identity);
        EXPECT_EQ(classify(error), FailureClass::payload) << cut << ": " << error.message();
        EXPECT_LT(released.size(), sealed.plaintext.size());
    }
}

TEST(Decryptor, DetectsTruncatedHeaderAndNonce) {
    const Sealed sealed = make_sealed(10);
    const std::size_t payload_start = sealed.file.size() - 10 - crypto::k_aead_tag_size;
    EXPECT_EQ(drain(std::span(sealed.file).first(payload_start - 5), sealed.identity).first, Errc::missing_nonce);
    EXPECT_EQ(drain(std::span(sealed.file).first(40), sealed.identity).first, Errc::header_truncated);
    EXPECT_EQ(drain({}, sealed.identity).first, Errc::header_truncated);
}

TEST(Decryptor, DetectsEveryFlippedPayloadBit) {
    const Sealed sealed = make_sealed(1000);
    for (std::size_t i = sealed.file.size() - 1000 - crypto::k_aead_tag_size; i < sealed.file.size(); i += 97) {
        auto damaged = sealed.file;
        damaged[i] ^= 0x20;
        const auto [error, released] = drain(damaged, sealed.identity);
        EXPECT_EQ(error, Errc::payload_authentication_failed) << i;
        EXPECT_TRUE(released.empty());
    }
}

TEST(Decryptor, DetectsChangedHeader) {
    const Sealed sealed = make_sealed(10);
    auto changed = sealed.file;
    // Change a letter of the version line's recipient stanza type: the MAC no longer matches
    // but the stanza still parses ("X25519" becomes "X25518", an unknown type, so: no match).
    const std::string_view text(reinterpret_cast<const char*>(changed.data()), changed.size());
    changed[text.find("X25519") + 5] = '8';
    EXPECT_EQ(drain(changed, sealed.identity).first, Errc::no_identity_matched);
    auto mac_changed = sealed.file;
    const std::size_t mac_at = text.find("--- ") + 4;
    mac_changed[mac_at] = mac_changed[mac_at] == 'A' ? 'B' : 'A';
    EXPECT_EQ(drain(mac_changed, sealed.identity).first, Errc::header_mac_mismatch);
}

TEST(Decryptor, ReleasesAFullFinalChunkThenReportsTrailingData) {
    const Sealed sealed = make_sealed(2 * k_chunk_size);
    auto extended = sealed.file;
    extended.push_back(0);
    const auto [error, released] = drain(extended, sealed.identity);
    EXPECT_EQ(error, Errc::payload_trailing_data);
    EXPECT_EQ(released, sealed.plaintext);
}

TEST(Decryptor, RejectsDataAfterAShortFinalChunk) {
    // A short final chunk with a byte appended no longer authenticates.
    for (const std::size_t size : {0u, 100u}) {
        const Sealed sealed = make_sealed(size);
        EXPECT_FALSE(drain(sealed.file, sealed.identity).first);
        auto extended = sealed.file;
        extended.push_back(0);
        EXPECT_EQ(drain(extended, sealed.identity).first, Errc::payload_authentication_failed) << size;
    }
}

TEST(Decryptor, RejectsGarbage) {
    const auto identity = X25519Identity::generate().value();
    const auto garbage = test::pattern_bytes(5000);
    EXPECT_EQ(drain(garbage, identity).first, Errc::unsupported_version);
    const std::string endless_line = "age-encryption.org/v1\n-> " + std::string(100000, 'a');
    EXPECT_EQ(drain({reinterpret_cast<const std::uint8_t*>(endless_line.data()), endless_line.size()}, identity).first,
              Errc::header_too_large);
}

} // namespace
} // namespace supportdrop::age
