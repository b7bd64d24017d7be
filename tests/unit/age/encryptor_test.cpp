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

// Collects what is written, like util::VectorSink, with the write alignment of a file written
// directly (or none); records each write's size, and checks every write but the last against
// the alignment, as direct I/O would.
class RecordingSink final : public util::ByteSink {
public:
    explicit RecordingSink(std::size_t alignment = 1) : m_alignment(alignment) {}
    util::Result<void> write(std::span<const std::uint8_t> data) override {
        EXPECT_FALSE(m_unaligned_seen) << "an unaligned write before this one of " << data.size() << " bytes";
        m_unaligned_seen =
            data.size() % m_alignment != 0 || reinterpret_cast<std::uintptr_t>(data.data()) % m_alignment != 0;
        bytes.insert(bytes.end(), data.begin(), data.end());
        sizes.push_back(data.size());
        return {};
    }
    std::size_t write_alignment() const override { return m_alignment; }

    std::vector<std::uint8_t> bytes;
    std::vector<std::size_t> sizes;

private:
    std::size_t m_alignment;
    bool m_unaligned_seen = false;
};

std::vector<std::uint8_t> seal(std::span<const std::uint8_t> plaintext, std::span<const X25519Recipient> recipients,
                               std::size_t write_size, std::size_t alignment = 1, std::size_t batch_chunks = 0) {
    RecordingSink sink(alignment);
    auto encryptor = Encryptor::start(recipients, sink, batch_chunks).value();
    for (std::size_t offset = 0; offset < plaintext.size(); offset += write_size) {
        EXPECT_TRUE(encryptor.write(plaintext.subspan(offset, std::min(write_size, plaintext.size() - offset))));
    }
    EXPECT_TRUE(encryptor.finish());
    return sink.bytes;
}

// Sizes around the 64 KiB chunk boundary and beyond a workspace, each written in several slice
// sizes, to a sink that takes any write and to one that wants whole pages, in the thread's
// workspace (four chunks) and in one of the encryptor's own (three).
class EncryptorRoundTrip
    : public testing::TestWithParam<std::tuple<std::size_t, std::size_t, std::size_t, std::size_t>> {};

TEST_P(EncryptorRoundTrip, OpensToThePlaintext) {
    const auto [size, write_size, alignment, batch_chunks] = GetParam();
    const auto identity = X25519Identity::generate().value();
    const auto plaintext = test::pattern_bytes(size);
    const auto sealed = seal(plaintext, std::span(&identity.recipient(), 1), write_size, alignment, batch_chunks);
    const std::size_t chunks = size == 0 ? 1 : (size + k_chunk_size - 1) / k_chunk_size;
    const std::size_t header_size = sealed.size() - size - chunks * crypto::k_aead_tag_size - k_payload_nonce_size;
    EXPECT_LT(header_size, 300u);
    EXPECT_EQ(open_all(sealed, identity), plaintext);
}

INSTANTIATE_TEST_SUITE_P(Sizes, EncryptorRoundTrip,
                         testing::Combine(testing::Values(0, 1, 65535, 65536, 65537, 131072, 300000, 5 * 65536 + 7),
                                          testing::Values(1000, 65536, 1 << 20), testing::Values(1, 4096),
                                          testing::Values(0, 3)));

TEST(Encryptor, WritesItsPayloadOffsetThenTheSealedPayloadSize) {
    const auto identity = X25519Identity::generate().value();
    for (const std::size_t size : std::initializer_list<std::size_t>{0, 1, 65535, 65536, 65537, 131072, 300000}) {
        SCOPED_TRACE(size);
        RecordingSink sink;
        auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
        ASSERT_TRUE(encryptor.write(test::pattern_bytes(size)));
        ASSERT_TRUE(encryptor.finish());
        EXPECT_EQ(sink.bytes.size(), encryptor.payload_offset() + sealed_payload_size(size));
    }
}

TEST(Encryptor, WritesWholeBlocksOnceAChunkIsComplete) {
    const auto identity = X25519Identity::generate().value();
    RecordingSink sink(4096);
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
    EXPECT_TRUE(sink.sizes.empty()); // the header waits for the first whole block
    // Five full chunks and 100 bytes, in pieces that do not fit the chunks: each chunk is
    // complete once the next begins, and then the whole blocks before the next are written.
    const auto plaintext = test::pattern_bytes(5 * k_chunk_size + 100);
    for (std::size_t offset = 0; offset < plaintext.size(); offset += 1000) {
        ASSERT_TRUE(encryptor.write(
            std::span(plaintext).subspan(offset, std::min<std::size_t>(1000, plaintext.size() - offset))));
    }
    std::vector<std::size_t> expected;
    std::size_t written = 0;
    for (std::size_t chunks = 1; chunks <= 5; ++chunks) {
        const std::size_t complete = encryptor.payload_offset() + chunks * k_sealed_chunk_size;
        expected.push_back(complete / 4096 * 4096 - written);
        written += expected.back();
    }
    EXPECT_EQ(sink.sizes, expected);
    ASSERT_TRUE(encryptor.finish());
    // Then the whole blocks of the rest, and the last piece of a block.
    const std::size_t total = encryptor.payload_offset() + 5 * k_sealed_chunk_size + 100 + crypto::k_aead_tag_size;
    if (total / 4096 * 4096 > written) {
        expected.push_back(total / 4096 * 4096 - written);
    }
    expected.push_back(total % 4096);
    EXPECT_EQ(sink.sizes, expected);
}

TEST(Encryptor, WritesALargePieceAWorkspaceAtATime) {
    // 1 MiB in one call: four chunks at a time, in whole blocks, the last chunk held for finish()
    // (so the last write has the three before it).
    const auto identity = X25519Identity::generate().value();
    RecordingSink sink(4096);
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
    const auto plaintext = test::pattern_bytes(std::size_t{1} << 20);
    ASSERT_TRUE(encryptor.write(plaintext));
    ASSERT_EQ(sink.sizes.size(), 4u);
    for (const std::size_t size : sink.sizes) {
        EXPECT_LE(size, 4 * k_sealed_chunk_size + 4096);
        EXPECT_GT(size, 3 * k_sealed_chunk_size - 4096);
    }
    ASSERT_TRUE(encryptor.finish());
    EXPECT_EQ(open_all(sink.bytes, identity), plaintext);
}

TEST(Encryptor, WritesABatchOfItsOwnAtOnce) {
    // Sixteen chunks of its own: 1 MiB in one call is one write, the last chunk held for finish().
    const auto identity = X25519Identity::generate().value();
    RecordingSink sink(4096);
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink, 16).value();
    const auto plaintext = test::pattern_bytes(std::size_t{1} << 20);
    ASSERT_TRUE(encryptor.write(plaintext));
    const std::size_t complete = encryptor.payload_offset() + 15 * k_sealed_chunk_size;
    EXPECT_EQ(sink.sizes, std::vector<std::size_t>{complete / 4096 * 4096});
    ASSERT_TRUE(encryptor.finish());
    EXPECT_EQ(open_all(sink.bytes, identity), plaintext);
}

TEST(Encryptor, SealsTheSameWithItsOwnWorkspaceMappedAhead) {
    // populate_workspace() changes where the pages come from, not what is sealed; without a
    // workspace of its own it does nothing.
    const auto identity = X25519Identity::generate().value();
    const auto plaintext = test::pattern_bytes((std::size_t{3} << 20) + 12345);
    for (const std::size_t batch_chunks : {std::size_t{0}, std::size_t{16}}) {
        RecordingSink sink(4096);
        auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink, batch_chunks).value();
        encryptor.populate_workspace();
        ASSERT_TRUE(encryptor.write(plaintext));
        ASSERT_TRUE(encryptor.finish());
        EXPECT_EQ(open_all(sink.bytes, identity), plaintext) << batch_chunks;
    }
}

TEST(Encryptor, CanGiveUpItsOwnWorkspaceBetweenCalls) {
    // 1 MiB in one write with a batch of sixteen chunks, then 1 MiB more in the thread's
    // workspace (four chunks at a time): one stream all the same.
    const auto identity = X25519Identity::generate().value();
    RecordingSink sink(4096);
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink, 16).value();
    const auto plaintext = test::pattern_bytes(std::size_t{2} << 20);
    ASSERT_TRUE(encryptor.write(std::span(plaintext).first(std::size_t{1} << 20)));
    EXPECT_EQ(sink.sizes.size(), 1u);
    encryptor.share_workspace();
    ASSERT_TRUE(encryptor.write(std::span(plaintext).last(std::size_t{1} << 20)));
    EXPECT_EQ(sink.sizes.size(), 5u);
    ASSERT_TRUE(encryptor.finish());
    EXPECT_EQ(open_all(sink.bytes, identity), plaintext);
}

TEST(Encryptor, HoldsAHeaderLongerThanABlock) {
    // Fifty recipients make a header of about 6 KB: its first whole block is written at once.
    std::vector<X25519Identity> identities;
    std::vector<X25519Recipient> recipients;
    for (int i = 0; i < 50; ++i) {
        identities.push_back(X25519Identity::generate().value());
        recipients.push_back(identities.back().recipient());
    }
    RecordingSink sink(4096);
    auto encryptor = Encryptor::start(recipients, sink).value();
    EXPECT_GT(encryptor.payload_offset(), 4096u);
    EXPECT_EQ(sink.sizes, std::vector<std::size_t>{encryptor.payload_offset() / 4096 * 4096});
    const auto plaintext = test::pattern_bytes(200000);
    ASSERT_TRUE(encryptor.write(plaintext));
    ASSERT_TRUE(encryptor.finish());
    EXPECT_EQ(open_all(sink.bytes, identities.front()), plaintext);
    EXPECT_EQ(open_all(sink.bytes, identities.back()), plaintext);
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
    explicit FailingSink(std::size_t capacity, std::size_t alignment = 1)
        : m_capacity(capacity), m_alignment(alignment) {}
    util::Result<void> write(std::span<const std::uint8_t> data) override {
        if (data.size() > m_capacity) {
            return util::ErrorCode(ENOSPC, boost::system::system_category());
        }
        m_capacity -= data.size();
        return {};
    }
    std::size_t write_alignment() const override { return m_alignment; }

private:
    std::size_t m_capacity;
    std::size_t m_alignment;
};

TEST(Encryptor, ReportsSinkErrorsAndStaysClosed) {
    const auto identity = X25519Identity::generate().value();
    for (const std::size_t alignment : {1u, 4096u}) {
        FailingSink sink(100000, alignment);
        auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
        const auto plaintext = test::pattern_bytes(300000);
        auto written = encryptor.write(plaintext);
        ASSERT_FALSE(written) << alignment;
        EXPECT_EQ(written.error().value(), ENOSPC);
        EXPECT_EQ(encryptor.finish().error(), Errc::encryptor_closed);
    }
}

TEST(Encryptor, ReportsASinkErrorAtTheFinalWrite) {
    // Less than a chunk: nothing was written before finish(), which fails with the sink's error.
    const auto identity = X25519Identity::generate().value();
    FailingSink sink(1000, 4096);
    auto encryptor = Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
    ASSERT_TRUE(encryptor.write(test::pattern_bytes(60000)));
    auto finished = encryptor.finish();
    ASSERT_FALSE(finished);
    EXPECT_EQ(finished.error().value(), ENOSPC);
}

} // namespace
} // namespace supportdrop::age
