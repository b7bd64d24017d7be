#include "age/encryptor.hpp"
#include "age/random_access_reader.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace supportdrop::age {
namespace {

class RandomAccessReaderTest : public testing::Test {
protected:
    void SetUp() override {
        m_fd = ::open((m_dir / "upload.age").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ASSERT_GE(m_fd, 0);
        m_file = util::FdRandomAccessSource(m_fd);
    }
    void TearDown() override { ::close(m_fd); }

    test::TempDir m_dir;
    int m_fd = -1;
    util::FdRandomAccessSource m_file{-1};
    X25519Identity m_staff = X25519Identity::generate().value();
};

TEST_F(RandomAccessReaderTest, ReadsChunksOfAnUploadInProgress) {
    util::FdSink sink(m_fd);
    auto encryptor = Encryptor::start(std::span(&m_staff.recipient(), 1), sink).value();
    const auto plaintext = test::pattern_bytes(3 * k_chunk_size + 500);

    // Two and a half chunks written: two are sealed, the writer holds the half chunk back.
    ASSERT_TRUE(encryptor.write(std::span(plaintext).first(2 * k_chunk_size + k_chunk_size / 2)));
    auto reader = RandomAccessReader::open(m_file, encryptor.file_key()).value();
    EXPECT_EQ(reader.payload_offset(), encryptor.payload_offset());
    EXPECT_EQ(reader.complete_chunks().value(), 2u);
    auto first = reader.read_chunk(0);
    ASSERT_TRUE(first);
    EXPECT_TRUE(std::ranges::equal(*first, std::span(plaintext).first(k_chunk_size)));
    EXPECT_EQ(reader.read_chunk(2).error(), Errc::payload_truncated);
    EXPECT_EQ(reader.read_chunk(1)->size(), k_chunk_size);

    ASSERT_TRUE(encryptor.write(std::span(plaintext).subspan(2 * k_chunk_size + k_chunk_size / 2)));
    ASSERT_TRUE(encryptor.finish());
    // Chunk N, in any order, and the short final chunk.
    for (const std::uint64_t index : {3u, 1u, 2u, 0u}) {
        auto chunk = reader.read_chunk(index);
        ASSERT_TRUE(chunk) << index << ": " << chunk.error().message();
        const std::size_t offset = index * k_chunk_size;
        EXPECT_TRUE(std::ranges::equal(
            *chunk, std::span(plaintext).subspan(offset, std::min(k_chunk_size, plaintext.size() - offset))));
    }
    EXPECT_EQ(reader.complete_chunks().value(), 3u);
}

TEST_F(RandomAccessReaderTest, OpensAHeaderLargerThanItsFirstRead) {
    // 60 recipients make a header of about 6 KiB, more than the reader's first 4 KiB read.
    std::vector<X25519Recipient> recipients;
    for (int i = 0; i < 60; ++i) {
        recipients.push_back(X25519Identity::generate().value().recipient());
    }
    util::FdSink sink(m_fd);
    auto encryptor = Encryptor::start(recipients, sink).value();
    ASSERT_GT(encryptor.payload_offset(), 4096u);
    const auto plaintext = test::pattern_bytes(k_chunk_size + 10);
    ASSERT_TRUE(encryptor.write(plaintext));
    ASSERT_TRUE(encryptor.finish());

    auto reader = RandomAccessReader::open(m_file, encryptor.file_key()).value();
    EXPECT_EQ(reader.payload_offset(), encryptor.payload_offset());
    auto last = reader.read_chunk(1);
    ASSERT_TRUE(last);
    EXPECT_TRUE(std::ranges::equal(*last, std::span(plaintext).subspan(k_chunk_size)));
}

TEST_F(RandomAccessReaderTest, RejectsAFileThatEndsInsideItsHeader) {
    util::FdSink sink(m_fd);
    auto encryptor = Encryptor::start(std::span(&m_staff.recipient(), 1), sink).value();
    ASSERT_TRUE(::ftruncate(m_fd, static_cast<off_t>(encryptor.payload_offset() / 2)) == 0);
    EXPECT_EQ(RandomAccessReader::open(m_file, encryptor.file_key()).error(), Errc::header_truncated);
}

TEST_F(RandomAccessReaderTest, RejectsAWrongFileKeyAndDamagedChunks) {
    util::FdSink sink(m_fd);
    auto encryptor = Encryptor::start(std::span(&m_staff.recipient(), 1), sink).value();
    ASSERT_TRUE(encryptor.write(test::pattern_bytes(2 * k_chunk_size)));
    ASSERT_TRUE(encryptor.finish());

    const FileKey wrong = generate_file_key().value();
    EXPECT_EQ(RandomAccessReader::open(m_file, wrong).error(), Errc::header_mac_mismatch);

    auto reader = RandomAccessReader::open(m_file, encryptor.file_key()).value();
    const std::uint8_t flipped = 0x55;
    ASSERT_EQ(::pwrite(m_fd, &flipped, 1, static_cast<off_t>(reader.payload_offset() + 10)), 1);
    EXPECT_EQ(reader.read_chunk(0).error(), Errc::payload_authentication_failed);
    EXPECT_TRUE(reader.read_chunk(1));
}

} // namespace
} // namespace supportdrop::age
