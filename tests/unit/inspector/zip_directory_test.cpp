#include "inspector/zip_directory.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

namespace supportdrop::inspector {
namespace {

class ZipDirectory : public testing::Test {
protected:
    // Runs `script` in a fresh directory and reads the sizes of the ZIP it leaves as out.zip.
    std::vector<ZipEntrySizes> sizes_of(const std::string& script, std::size_t max_entries = 100) {
        const auto made = test::run_shell("set -e\n" + script, m_dir.path().string());
        EXPECT_EQ(made.exit_code, 0) << made.err;
        const int fd = ::open((m_dir / "out.zip").c_str(), O_RDONLY | O_CLOEXEC);
        EXPECT_GE(fd, 0);
        util::FdRandomAccessSource source(fd);
        auto sizes = read_zip_entry_sizes(source, max_entries);
        ::close(fd);
        return sizes;
    }

    test::TempDir m_dir;
};

TEST_F(ZipDirectory, ReadsStoredAndDeflatedSizes) {
    const auto sizes = sizes_of("head -c 3000000 /dev/urandom > random.bin && head -c 2000000 /dev/zero > zeros && "
                                "zip -q -0 out.zip random.bin && zip -q -9 out.zip zeros");
    ASSERT_EQ(sizes.size(), 2u);
    EXPECT_EQ(sizes[0].uncompressed, 3'000'000u);
    EXPECT_EQ(sizes[0].compressed, 3'000'000u);
    EXPECT_EQ(sizes[1].uncompressed, 2'000'000u);
    EXPECT_LT(sizes[1].compressed, 10'000u);
}

TEST_F(ZipDirectory, ReadsZip64SizesBehindAnArchiveComment) {
    // -fz writes ZIP64 records even for small files; the comment moves the end record.
    const auto sizes = sizes_of("head -c 70000 /dev/zero > zeros && echo 'for the support desk' > comment && "
                                "zip -q -fz out.zip zeros && zip -q -z out.zip < comment");
    ASSERT_EQ(sizes.size(), 1u);
    EXPECT_EQ(sizes[0].uncompressed, 70'000u);
    EXPECT_GT(sizes[0].compressed, 0u);
    EXPECT_LT(sizes[0].compressed, 1'000u);
}

TEST_F(ZipDirectory, FindsTheDirectoryBehindPrependedData) {
    // A self-extractor is a program with the archive appended, offsets unchanged.
    const auto sizes = sizes_of("echo x > a && zip -q plain.zip a && head -c 5000 /dev/urandom > out.zip && "
                                "cat plain.zip >> out.zip");
    ASSERT_EQ(sizes.size(), 1u);
    EXPECT_EQ(sizes[0].uncompressed, 2u);
}

TEST_F(ZipDirectory, StopsAtTheLimit) {
    EXPECT_EQ(sizes_of("seq 1 50 | xargs touch && zip -q out.zip $(seq 1 50)", 20).size(), 20u);
}

TEST_F(ZipDirectory, GivesNothingForDamagedOrForeignInput) {
    EXPECT_TRUE(sizes_of("head -c 100000 /dev/urandom > out.zip").empty());
    EXPECT_TRUE(sizes_of("printf 'PK\\005\\006' > out.zip").empty());
    // The end record points past its own start.
    EXPECT_TRUE(
        sizes_of("echo x > a && zip -q plain.zip a && head -c -22 plain.zip > out.zip && "
                 "printf 'PK\\005\\006\\0\\0\\0\\0\\001\\0\\001\\0\\377\\377\\0\\0\\0\\0\\0\\0\\0\\0' >> out.zip")
            .empty());
    // A directory cut short: what was read so far.
    const auto cut = sizes_of("touch a b c && zip -q plain.zip a b c && cp plain.zip out.zip && "
                              "offset=$(grep -obUaP 'PK\\x01\\x02' plain.zip | tail -n 1 | cut -d: -f1) && "
                              "printf XXXX | dd of=out.zip bs=1 seek=$offset conv=notrunc status=none");
    EXPECT_EQ(cut.size(), 2u);
}

} // namespace
} // namespace supportdrop::inspector
