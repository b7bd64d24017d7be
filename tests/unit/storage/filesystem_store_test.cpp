#include "storage/sealed_store.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <sys/stat.h>

namespace supportdrop::storage {
namespace {

using test::TempDir;

std::vector<std::string> sorted(std::vector<std::string> names) {
    std::ranges::sort(names);
    return names;
}

std::vector<std::string> entries_of(const std::filesystem::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        names.push_back(entry.path().filename().string());
    }
    return sorted(std::move(names));
}

class FilesystemStoreTest : public testing::Test {
protected:
    std::unique_ptr<PendingObject> create_with(const std::string& name, const std::vector<std::uint8_t>& data) {
        auto object = m_store->create(name, Caching::keep);
        EXPECT_TRUE(object) << name;
        if (!object) {
            return nullptr;
        }
        EXPECT_TRUE((*object)->write(data));
        return std::move(*object);
    }

    TempDir m_root;
    std::unique_ptr<SealedStore> m_store = open_filesystem_store(m_root.path()).value();
};

TEST_F(FilesystemStoreTest, ObjectsAppearInTheInboxOnlyWhenCommittedTogether) {
    const auto archive_bytes = test::pattern_bytes(3 << 20, 1); // past the writeback step
    const auto manifest_bytes = test::pattern_bytes(300, 2);
    auto archive = create_with("a1.archive.age", archive_bytes);
    auto manifest = create_with("a1.manifest.age", manifest_bytes);
    ASSERT_TRUE(archive && manifest);
    EXPECT_TRUE(m_store->list()->empty());
    EXPECT_EQ(entries_of(m_root / "incoming").size(), 2u);

    const std::array<PendingObject*, 2> objects = {archive.get(), manifest.get()};
    ASSERT_TRUE(m_store->commit(objects));
    EXPECT_EQ(sorted(m_store->list().value()), (std::vector<std::string>{"a1.archive.age", "a1.manifest.age"}));
    EXPECT_TRUE(entries_of(m_root / "incoming").empty());
    EXPECT_EQ(test::read_file(m_root / "inbox" / "a1.archive.age"), archive_bytes);
    EXPECT_EQ(test::read_file(m_root / "inbox" / "a1.manifest.age"), manifest_bytes);
    struct stat st {};
    ASSERT_EQ(::stat((m_root / "inbox" / "a1.archive.age").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u); // readable by the staff's SFTP group
}

TEST_F(FilesystemStoreTest, AnObjectThatBypassesCachesWantsWholePages) {
    // Whole pages then go past the page cache (util::AtomicFile, PageCache::bypass).
    EXPECT_EQ(m_store->create("a1.archive.age", Caching::bypass).value()->write_alignment(), 4096u);
    EXPECT_EQ(m_store->create("a2.archive.age", Caching::keep).value()->write_alignment(), 1u);
}

TEST_F(FilesystemStoreTest, AnUncommittedObjectLeavesNothing) {
    {
        auto object = create_with("a1.archive.age", test::pattern_bytes(1000));
        ASSERT_TRUE(object);
    }
    EXPECT_TRUE(m_store->list()->empty());
    EXPECT_TRUE(entries_of(m_root / "incoming").empty());
}

TEST_F(FilesystemStoreTest, ANameIsNeverReplaced) {
    auto first = create_with("a1.archive.age", {1});
    ASSERT_TRUE(first);
    const std::array<PendingObject*, 1> objects = {first.get()};
    ASSERT_TRUE(m_store->commit(objects));
    EXPECT_EQ(m_store->create("a1.archive.age", Caching::keep).error(), util::Errc::file_exists);
    EXPECT_EQ(test::read_file(m_root / "inbox" / "a1.archive.age"), (std::vector<std::uint8_t>{1}));
}

TEST_F(FilesystemStoreTest, AFailedCommitKeepsWhatBecameVisibleAndDiscardsTheRest) {
    auto archive = create_with("a1.archive.age", {1});
    auto manifest = create_with("a1.manifest.age", {2});
    ASSERT_TRUE(archive && manifest);
    // The manifest's name is taken meanwhile (it never is in the product: names are minted).
    test::write_file(m_root / "inbox" / "a1.manifest.age", {9});
    const std::array<PendingObject*, 2> objects = {archive.get(), manifest.get()};
    EXPECT_EQ(m_store->commit(objects).error(), util::Errc::file_exists);
    EXPECT_EQ(sorted(m_store->list().value()), (std::vector<std::string>{"a1.archive.age", "a1.manifest.age"}));
    EXPECT_EQ(test::read_file(m_root / "inbox" / "a1.manifest.age"), (std::vector<std::uint8_t>{9}));
    EXPECT_TRUE(entries_of(m_root / "incoming").empty());
    ASSERT_TRUE(m_store->remove("a1.archive.age"));
    EXPECT_EQ(m_store->list().value(), std::vector<std::string>{"a1.manifest.age"});
}

TEST_F(FilesystemStoreTest, RemovesIncompleteFilesAtStartAndMissingNamesQuietly) {
    auto kept = create_with("a1.archive.age", {1});
    ASSERT_TRUE(kept);
    const std::array<PendingObject*, 1> objects = {kept.get()};
    ASSERT_TRUE(m_store->commit(objects));
    // What a crashed process leaves in incoming/.
    test::write_file(m_root / "incoming" / ".a2.archive.age.tmp-abc123", {1, 2, 3});
    EXPECT_EQ(m_store->remove_incomplete().value(), 1u);
    EXPECT_TRUE(entries_of(m_root / "incoming").empty());
    EXPECT_EQ(m_store->list().value(), std::vector<std::string>{"a1.archive.age"});
    EXPECT_TRUE(m_store->remove("never-there.age"));
    EXPECT_GT(m_store->available_bytes().value(), 0u);
}

} // namespace
} // namespace supportdrop::storage
