#include "support/small_disk.hpp"
#include "support/temp_dir.hpp"
#include "util/atomic_file.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sys/stat.h>

namespace supportdrop::util {
namespace {

using test::TempDir;

TEST(AtomicFile, BecomesVisibleOnlyOnCommit) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0640, Overwrite::no);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->write(bytes_of("hello")));
    EXPECT_FALSE(std::filesystem::exists(dir / "out"));
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "out"), (std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'}));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "out").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
}

TEST(AtomicFile, CommitCanLeaveTheDirectorySyncToTheCaller) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0640, Overwrite::no);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->write(bytes_of("hello")));
    ASSERT_TRUE(file->commit(DirectorySync::by_caller));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
    EXPECT_TRUE(sync_directory(dir.path()));
    EXPECT_EQ(sync_directory(dir / "missing").error(), std::errc::no_such_file_or_directory);
}

TEST(AtomicFile, AFileWrittenBackWhileItGrowsOrWhenToldReadsBackWhole) {
    // 20 MiB in pieces of 300 KiB: writeback starts in 1 MiB steps, then in 8 MiB steps, and
    // where the writer says so: once in the middle of a step, and for the rest before commit().
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no);
    ASSERT_TRUE(file);
    const auto data = test::pattern_bytes(std::size_t{20} << 20);
    constexpr std::size_t k_piece = 300 * 1024;
    for (std::size_t offset = 0; offset < data.size(); offset += k_piece) {
        ASSERT_TRUE(file->write(std::span(data).subspan(offset, std::min(k_piece, data.size() - offset))));
        if (offset == 40 * k_piece) {
            file->start_writeback();
        }
    }
    file->start_writeback();
    file->start_writeback(); // nothing new: nothing to do
    ASSERT_TRUE(file->commit());
    file->start_writeback(); // after the commit: nothing to do either
    EXPECT_EQ(test::read_file(dir / "out"), data);
}

TEST(AtomicFile, UncommittedFileLeavesNothing) {
    TempDir dir;
    {
        auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no);
        ASSERT_TRUE(file);
        ASSERT_TRUE(file->write(bytes_of("partial")));
    }
    EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, AWriteBeyondAFullDiskFailsAsOutOfSpaceAndLeavesNothing) {
    TempDir dir;
    const auto disk = test::SmallDisk::mount(dir / "disk", "1m");
    if (!disk) {
        GTEST_SKIP() << "no mount namespace of its own for the small disk";
    }
    {
        auto file = AtomicFile::create(dir / "disk/out", 0600, Overwrite::no);
        ASSERT_TRUE(file);
        const auto data = test::pattern_bytes(std::size_t{256} << 10);
        Result<void> written;
        for (int i = 0; i < 8 && written; ++i) {
            written = file->write(data);
        }
        ASSERT_FALSE(written);
        EXPECT_TRUE(is_out_of_space(written.error())) << written.error().message();
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir / "disk"));
}

TEST(AtomicFile, RefusesExistingTargetUpFront) {
    TempDir dir;
    test::write_file(dir / "out", {1});
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no);
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error(), Errc::file_exists);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
}

TEST(AtomicFile, RefusesTargetThatAppearedMeanwhile) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->write(bytes_of("new")));
    test::write_file(dir / "out", {'o', 'l', 'd'});
    auto committed = file->commit();
    ASSERT_FALSE(committed);
    EXPECT_EQ(committed.error(), Errc::file_exists);
    EXPECT_EQ(test::read_file(dir / "out"), (std::vector<std::uint8_t>{'o', 'l', 'd'}));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out"});
}

TEST(AtomicFile, OverwritesWhenAsked) {
    TempDir dir;
    test::write_file(dir / "out", {'o', 'l', 'd'});
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::yes);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->write(bytes_of("new")));
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "out"), (std::vector<std::uint8_t>{'n', 'e', 'w'}));
}

TEST(AtomicFile, CommitTwiceFails) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(file->commit().error(), Errc::already_committed);
    EXPECT_EQ(file->write(bytes_of("x")).error(), Errc::already_committed);
}

TEST(AtomicFile, MissingDirectoryIsASystemError) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "missing" / "out", 0600, Overwrite::no);
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error().value(), ENOENT);
}

} // namespace
} // namespace supportdrop::util
