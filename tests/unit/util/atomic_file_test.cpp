#include "support/small_disk.hpp"
#include "support/temp_dir.hpp"
#include "util/atomic_file.hpp"
#include "util/byte_buffer.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace supportdrop::util {
namespace {

using test::TempDir;

// Whether the file system of `dir` takes direct I/O (tmpfs does not).
bool takes_direct_io(const std::filesystem::path& dir) {
    const auto probe = dir / "direct-io-probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return false;
    }
    ::close(fd);
    ::unlink(probe.c_str());
    return true;
}

// How many of the pages of `length` bytes at `offset` (a page boundary) of `path` are in the
// page cache.
std::size_t cached_pages(const std::filesystem::path& path, std::size_t offset, std::size_t length) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    void* map = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(offset));
    ::close(fd);
    EXPECT_NE(map, MAP_FAILED);
    std::vector<unsigned char> residency((length + 4095) / 4096);
    EXPECT_EQ(::mincore(map, length, residency.data()), 0);
    ::munmap(map, length);
    return static_cast<std::size_t>(
        std::count_if(residency.begin(), residency.end(), [](unsigned char page) { return (page & 1) != 0; }));
}

// `data` in memory that starts at a page boundary.
ByteBuffer page_aligned(std::span<const std::uint8_t> data) {
    ByteBuffer buffer(data.size(), k_max_write_alignment);
    std::memcpy(buffer.data(), data.data(), data.size());
    return buffer;
}

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

TEST(AtomicFile, ALargeFileIsFlushedWhileItGrowsAndCommitsOrLeavesNothingWhateverTheFlushIsDoing) {
    // 7 MiB: written back, never flushed before commit(). 24 MiB in pieces of 1 MiB: writeback
    // in 8 MiB steps from 8 MiB on, and a flush beside from the first of them on, at most one at a
    // time; committed, moved with its flush running, or dropped with it running.
    TempDir dir;
    const auto data = test::pattern_bytes(std::size_t{24} << 20);
    constexpr std::size_t k_piece = std::size_t{1} << 20;
    const auto write = [&](AtomicFile& file, std::size_t size) {
        for (std::size_t offset = 0; offset < size; offset += k_piece) {
            ASSERT_TRUE(file.write(std::span(data).subspan(offset, k_piece)));
        }
    };
    auto small = AtomicFile::create(dir / "small", 0600, Overwrite::no);
    ASSERT_TRUE(small);
    write(*small, std::size_t{7} << 20);
    EXPECT_EQ(small->background_flushes(), 0u);
    ASSERT_TRUE(small->commit());

    auto large = AtomicFile::create(dir / "large", 0600, Overwrite::no);
    ASSERT_TRUE(large);
    write(*large, data.size());
    EXPECT_GE(large->background_flushes(), 1u);
    EXPECT_LE(large->background_flushes(), 2u); // the steps at 16 and 24 MiB
    AtomicFile moved(std::move(*large));
    ASSERT_TRUE(moved.commit());
    EXPECT_EQ(test::read_file(dir / "large"), data);

    {
        auto dropped = AtomicFile::create(dir / "dropped", 0600, Overwrite::no);
        ASSERT_TRUE(dropped);
        write(*dropped, std::size_t{17} << 20);
        EXPECT_EQ(dropped->background_flushes(), 1u);
    }
    EXPECT_EQ(dir.entries(), (std::vector<std::string>{"large", "small"}));
}

// Files that bypass the page cache, in a temporary directory on a file system with direct I/O.
class DirectAtomicFile : public testing::Test {
protected:
    void SetUp() override {
        if (!takes_direct_io(dir.path())) {
            GTEST_SKIP() << "the temporary directory's file system has no direct I/O";
        }
        auto created = AtomicFile::create(dir / "out", 0600, Overwrite::no, dir.path(), PageCache::bypass);
        ASSERT_TRUE(created);
        file.emplace(std::move(*created));
    }

    TempDir dir;
    std::optional<AtomicFile> file;
};

TEST_F(DirectAtomicFile, WholePagesGoPastThePageCacheAfterTheFirstWriteUntilAnotherWriteComes) {
    EXPECT_EQ(file->write_alignment(), 4096u);
    const auto data = test::pattern_bytes((std::size_t{1} << 20) + 100 + 65536);
    const ByteBuffer pages = page_aligned(std::span(data).first(std::size_t{1} << 20));
    constexpr std::size_t k_piece = 256 * 1024;
    for (std::size_t offset = 0; offset < pages.size(); offset += k_piece) {
        ASSERT_TRUE(file->write(std::span(pages).subspan(offset, k_piece)));
        EXPECT_EQ(file->write_alignment(), 4096u);
    }
    // The first write stays in the page cache for a reader of the file's beginning.
    EXPECT_EQ(cached_pages(file->temporary_path(), 0, k_piece), k_piece / 4096);
    EXPECT_EQ(cached_pages(file->temporary_path(), k_piece, pages.size() - k_piece), 0u);
    // A piece that is not whole pages, and from then on everything, goes through the page cache.
    ASSERT_TRUE(file->write(std::span(data).subspan(pages.size(), 100)));
    const ByteBuffer more = page_aligned(std::span(data).last(65536));
    ASSERT_TRUE(file->write(more));
    EXPECT_EQ(cached_pages(file->temporary_path(), pages.size(), 69632), 17u);
    std::vector<std::uint8_t> read_back(data.size());
    EXPECT_TRUE(read_exactly_at(file->written(), 0, read_back));
    EXPECT_EQ(read_back, data);
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "out"), data);
}

TEST_F(DirectAtomicFile, AReadEndsDirectWritesAndSeesWhatTheyWrote) {
    const auto data = test::pattern_bytes(3 * 65536);
    const ByteBuffer pages = page_aligned(data);
    ASSERT_TRUE(file->write(std::span(pages).first(65536)));
    // An odd piece from the middle, into memory that is not aligned.
    std::vector<std::uint8_t> piece(1001);
    EXPECT_TRUE(read_exactly_at(file->written(), 4097, piece));
    EXPECT_TRUE(std::equal(piece.begin(), piece.end(), data.begin() + 4097));
    // Whole pages after the read go through the page cache.
    ASSERT_TRUE(file->write(std::span(pages).subspan(65536)));
    EXPECT_EQ(cached_pages(file->temporary_path(), 65536, 2 * 65536), 32u);
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "out"), data);
}

TEST_F(DirectAtomicFile, ToldToUseThePageCacheItWritesEverythingAfterThroughIt) {
    const auto data = test::pattern_bytes(3 * 65536);
    const ByteBuffer pages = page_aligned(data);
    ASSERT_TRUE(file->write(std::span(pages).first(65536)));
    ASSERT_TRUE(file->write(std::span(pages).subspan(65536, 65536)));
    file->use_page_cache();
    EXPECT_EQ(file->write_alignment(), 1u);
    ASSERT_TRUE(file->write(std::span(pages).subspan(2 * 65536)));
    EXPECT_EQ(cached_pages(file->temporary_path(), 65536, 65536), 0u);
    EXPECT_EQ(cached_pages(file->temporary_path(), 2 * 65536, 65536), 16u);
    file->use_page_cache(); // again: nothing changes
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "out"), data);
}

TEST(AtomicFile, WholePagesFromMisalignedMemoryGoThroughThePageCache) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no, dir.path(), PageCache::bypass);
    ASSERT_TRUE(file);
    const auto data = test::pattern_bytes(65536 + 1);
    ASSERT_TRUE(file->write(std::span(data).subspan(1))); // a vector's data + 1: not aligned
    EXPECT_EQ(cached_pages(file->temporary_path(), 0, 65536), 16u);
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "out"), std::vector<std::uint8_t>(data.begin() + 1, data.end()));
}

TEST(AtomicFile, UsesThePageCacheUnlessToldToBypassIt) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no, dir.path());
    ASSERT_TRUE(file);
    EXPECT_EQ(file->write_alignment(), 1u);
    const auto data = test::pattern_bytes(65536);
    ASSERT_TRUE(file->write(page_aligned(data)));
    EXPECT_EQ(cached_pages(file->temporary_path(), 0, 65536), 16u);
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "out"), data);
}

// The bytes of the disk that `path` holds.
std::uint64_t allocated_bytes(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

TEST(AtomicFile, RoomReservedAheadIsGivenBackAtTheCommit) {
    TempDir dir;
    auto file = AtomicFile::create(dir / "out", 0600, Overwrite::no, dir.path());
    ASSERT_TRUE(file);
    file->reserve(std::uint64_t{8} << 20);
    if (allocated_bytes(file->temporary_path()) == 0) {
        GTEST_SKIP() << "the temporary directory's file system does not reserve room";
    }
    EXPECT_GE(allocated_bytes(file->temporary_path()), std::uint64_t{8} << 20);
    EXPECT_EQ(file->written().size().value(), 0u); // the size is what was written
    const auto data = test::pattern_bytes((std::size_t{1} << 20) + 100);
    ASSERT_TRUE(file->write(data));
    file->reserve(1000); // less than written: nothing to do
    EXPECT_EQ(file->written().size().value(), data.size());
    AtomicFile moved(std::move(*file)); // the reservation goes with it
    ASSERT_TRUE(moved.commit());
    EXPECT_EQ(test::read_file(dir / "out"), data);
    EXPECT_LT(allocated_bytes(dir / "out"), std::uint64_t{2} << 20);
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
    // Through the page cache, and (where the small disk takes direct I/O) past it.
    const ByteBuffer data = page_aligned(test::pattern_bytes(std::size_t{256} << 10));
    for (const PageCache page_cache : {PageCache::use, PageCache::bypass}) {
        {
            auto file = AtomicFile::create(dir / "disk/out", 0600, Overwrite::no, {}, page_cache);
            ASSERT_TRUE(file);
            Result<void> written;
            for (int i = 0; i < 8 && written; ++i) {
                written = file->write(data);
            }
            ASSERT_FALSE(written);
            EXPECT_TRUE(is_out_of_space(written.error())) << written.error().message();
        }
        EXPECT_TRUE(std::filesystem::is_empty(dir / "disk"));
    }
}

TEST(AtomicFile, ARoomTheDiskCannotGiveLeavesItsRoomToTheWrites) {
    TempDir dir;
    const auto disk = test::SmallDisk::mount(dir / "disk", "1m");
    if (!disk) {
        GTEST_SKIP() << "no mount namespace of its own for the small disk";
    }
    const auto data = test::pattern_bytes(std::size_t{512} << 10);
    auto file = AtomicFile::create(dir / "disk/out", 0600, Overwrite::no);
    ASSERT_TRUE(file);
    file->reserve(std::uint64_t{4} << 20); // more than the disk has
    ASSERT_TRUE(file->write(data));
    ASSERT_TRUE(file->commit());
    EXPECT_EQ(test::read_file(dir / "disk/out"), data);
    EXPECT_LE(allocated_bytes(dir / "disk/out"), data.size() + 4096);
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
