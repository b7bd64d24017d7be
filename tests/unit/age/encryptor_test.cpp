#include "age/decryptor.hpp"
#include "age/encryptor.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace supportdrop::age {
namespace {

std::vector<std::uint8_t> open_all(std::span<const std::uint8_t> sealed, const X25519Identity& identity) {
    util::SpanSource source(sealed);
    auto decryptor = Decryptor::open(source, std::span(&identity, 1)).value();
    std::vector<std::uint8_t> plaintext;
    for (;;) {
        auto chunk = decryptor.read_chunk().value();
        if (chunk.empty()) {
            return plaintext;
        }
        plaintext.insert(plaintext.end(), chunk.begin(), chunk.end());
    }
}

std::vector<std::uint8_t> seal(std::span<const std::uint8_t> plaintext, std::span<const X25519Recipient> recipients,
                               std::size_t write_size, std::size_t batch_chunks = 1) {
    std::vector<std::uint8_t> sealed;
    util::VectorSink sink(sealed);
    auto encryptor = Encryptor::start(recipients, sink, batch_chunks).value();
    for (std::size_t offset = 0; offset < plaintext.size(); offset += write_size) {
        EXPECT_TRUE(encryptor.write(plaintext.subspan(offset, std::min(write_size, plaintext.size() - offset))));
    }
    EXPECT_TRUE(encryptor.finish());
    return sealed;
}

// Sizes around the 64 KiB chunk boundary, each written in several slice sizes, with sealed
// chunks written one at a time or in batches.
class EncryptorRoundTrip : public testing::TestWithParam<std::tuple<std::size_t, std::size_t, std::size_t>> {};

TEST_P(EncryptorRoundTrip, OpensToThePlaintext) {
    const auto [size, write_size, batch_chunks] = GetParam();
    const auto identity = X25519Identity::generate().value();
    const auto plaintext = test::pattern_bytes(size);
    const auto sealed = seal(plaintext, std::span(&identity.recipient(), 1), write_size, batch_chunks);
    const std::size_t chunks = size == 0 ? 1 : (size + k_chunk_size - 1) / k_chunk_size;
    const std::size_t header_size = sealed.size() - size - chunks * crypto::k_aead_tag_size - k_payload_nonce_size;
    EXPECT_LT(header_size, 300u);
    EXPECT_EQ(open_all(sealed, identity), plaintext);
}

INSTANTIATE_TEST_SUITE_P(Sizes, EncryptorRoundTrip,
                         testing::Combine(testing::Values(0, 1, 65535, 65536, 65537, 131072, 300000),
                                          testing::Values(1000, 65536, 1 << 20), testing::Values(1, 3, 16)));

// Records the size of every write.
class WriteSizes final : public util::ByteSink {
public:
    util::Result<void> write(std::span<const std::uint8_t> data) override {
        sizes.push_back(data.size());
        return {};
    }
    std::vector<std::size_t> sizes;
};

TEST(Encryptor, WritesSealedChunksABatchAtATime) {
    const auto identity = X25519Identity::generate().value();
    WriteSizes sink;
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink, 3).value();
    ASSERT_EQ(sink.sizes.size(), 2u); // the header, the payload nonce
    sink.sizes.clear();
    // Five full chunks and 100 bytes, in pieces that do not fit the chunks.
    const auto plaintext = test::pattern_bytes(5 * k_chunk_size + 100);
    for (std::size_t offset = 0; offset < plaintext.size(); offset += 1000) {
        ASSERT_TRUE(encryptor.write(
            std::span(plaintext).subspan(offset, std::min<std::size_t>(1000, plaintext.size() - offset))));
    }
    // The first three chunks once the fourth began; the fourth and fifth wait for the batch.
    EXPECT_EQ(sink.sizes, std::vector<std::size_t>{3 * k_sealed_chunk_size});
    ASSERT_TRUE(encryptor.finish());
    // Then the rest in one write with the final chunk.
    EXPECT_EQ(sink.sizes, (std::vector<std::size_t>{3 * k_sealed_chunk_size, 2 * k_sealed_chunk_size + 116}));
}

TEST(Encryptor, SealsToEveryRecipient) {
    const auto alice = X25519Identity::generate().value();
    const auto bob = X25519Identity::generate().value();
    const auto carol = X25519Identity::generate().value();
    const std::vector<X25519Recipient> recipients = {alice.recipient(), bob.recipient()};
    const auto plaintext = test::pattern_bytes(70000);
    const auto sealed = seal(plaintext, recipients, 4096);
    EXPECT_EQ(open_all(sealed, alice), plaintext);
    EXPECT_EQ(open_all(sealed, bob), plaintext);
    util::SpanSource source(sealed);
    EXPECT_EQ(Decryptor::open(source, std::span(&carol, 1)).error(), Errc::no_identity_matched);
}

TEST(Encryptor, NeedsARecipient) {
    std::vector<std::uint8_t> sealed;
    util::VectorSink sink(sealed);
    EXPECT_EQ(Encryptor::start({}, sink).error(), Errc::no_recipients);
    EXPECT_TRUE(sealed.empty());
}

TEST(Encryptor, IsClosedAfterFinish) {
    const auto identity = X25519Identity::generate().value();
    std::vector<std::uint8_t> sealed;
    util::VectorSink sink(sealed);
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
    ASSERT_TRUE(encryptor.finish());
    const std::uint8_t byte = 1;
    EXPECT_EQ(encryptor.write(std::span(&byte, 1)).error(), Errc::encryptor_closed);
    EXPECT_EQ(encryptor.finish().error(), Errc::encryptor_closed);
}

// A sink that fails after a number of bytes, like a full disk.
class FailingSink final : public util::ByteSink {
public:
    explicit FailingSink(std::size_t capacity) : m_capacity(capacity) {}
    util::Result<void> write(std::span<const std::uint8_t> data) override {
        if (data.size() > m_capacity) {
            return util::ErrorCode(ENOSPC, boost::system::system_category());
        }
        m_capacity -= data.size();
        return {};
    }

private:
    std::size_t m_capacity;
};

TEST(Encryptor, ReportsSinkErrorsAndStaysClosed) {
    const auto identity = X25519Identity::generate().value();
    for (const std::size_t batch_chunks : {1u, 3u}) {
        FailingSink sink(100000);
        auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink, batch_chunks).value();
        const auto plaintext = test::pattern_bytes(300000);
        auto written = encryptor.write(plaintext);
        ASSERT_FALSE(written) << batch_chunks;
        EXPECT_EQ(written.error().value(), ENOSPC);
        EXPECT_EQ(encryptor.finish().error(), Errc::encryptor_closed);
    }
}

TEST(Encryptor, ReportsASinkErrorAtTheFinalBatch) {
    // Nothing was written before finish(): it fails there, with the sink's error.
    const auto identity = X25519Identity::generate().value();
    FailingSink sink(1000);
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink, 16).value();
    ASSERT_TRUE(encryptor.write(test::pattern_bytes(300000)));
    auto finished = encryptor.finish();
    ASSERT_FALSE(finished);
    EXPECT_EQ(finished.error().value(), ENOSPC);
}

} // namespace
} // namespace supportdrop::age
