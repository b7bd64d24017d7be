#include "db/metadata_store.hpp"
#include "support/small_disk.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <sqlite3.h>
#include <vector>

namespace supportdrop::db {
namespace {

using test::TempDir;

UploadRecord record(int n, std::int64_t sealed_at = 1'800'000'000) {
    UploadRecord r;
    r.id = "id" + std::to_string(n);
    r.reference = "SD-AAAA-" + std::to_string(1000 + n);
    r.receipt_hash.fill(static_cast<std::uint8_t>(n));
    r.archive_type = "zip";
    r.size = 1000 + static_cast<std::uint64_t>(n);
    r.sha256 = std::string(64, 'a');
    r.received_at = sealed_at - 2;
    r.sealed_at = sealed_at;
    return r;
}

TEST(SqliteStore, RecordsFindsAndExpiresUploads) {
    const TempDir dir;
    auto store = open_sqlite_store(dir / "metadata.sqlite3").value();
    ASSERT_TRUE(store->record_sealed(record(1, 1000)));
    ASSERT_TRUE(store->record_sealed(record(2, 2000)));

    const auto found = store->find_by_receipt(record(1).receipt_hash).value();
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, "id1");
    EXPECT_EQ(found->reference, record(1).reference);
    EXPECT_EQ(found->state, UploadState::sealed);
    EXPECT_EQ(found->size, 1001u);
    EXPECT_EQ(found->received_at, 998);
    EXPECT_EQ(found->sealed_at, 1000);
    EXPECT_FALSE(store->find_by_receipt(record(3).receipt_hash).value());
    EXPECT_TRUE(store->reference_exists(record(2).reference).value());
    EXPECT_FALSE(store->reference_exists(record(3).reference).value());

    EXPECT_EQ(store->sealed_before(1500).value(), std::vector<std::string>{"id1"});
    ASSERT_TRUE(store->mark_expired("id1", 1600));
    EXPECT_EQ(store->find_by_receipt(record(1).receipt_hash).value()->state, UploadState::expired);
    EXPECT_TRUE(store->sealed_before(1500).value().empty());
    EXPECT_TRUE(store->check());
}

TEST(SqliteStore, RefusesASecondRecordWithTheSameIdReferenceOrReceiptAndKeepsTheFirst) {
    const TempDir dir;
    auto store = open_sqlite_store(dir / "metadata.sqlite3").value();
    ASSERT_TRUE(store->record_sealed(record(1)));
    using Clash = void (*)(UploadRecord&);
    for (const Clash clash : std::initializer_list<Clash>{
             [](UploadRecord& r) { r.id = "id1"; },
             [](UploadRecord& r) { r.reference = record(1).reference; },
             [](UploadRecord& r) { r.receipt_hash = record(1).receipt_hash; },
         }) {
        UploadRecord second = record(2);
        clash(second);
        EXPECT_FALSE(store->record_sealed(second));
    }
    EXPECT_EQ(store->upload_ids().value(), std::vector<std::string>{"id1"});
    // Nothing of the refused ones stayed open: the store goes on.
    EXPECT_TRUE(store->record_sealed(record(3)));
}

// The store keeps its statements compiled; each must be done with when its call returns.
TEST(SqliteStore, ReusedStatementsHoldNoTransactionOrBindingBeyondTheirCall) {
    const TempDir dir;
    auto store = open_sqlite_store(dir / "metadata.sqlite3").value();
    for (int n = 1; n <= 50; ++n) {
        ASSERT_TRUE(store->record_sealed(record(n, 1000 + n)));
        // Both stop after the first row they find.
        ASSERT_TRUE(store->reference_exists(record(n).reference).value());
        ASSERT_EQ(store->find_by_receipt(record(n).receipt_hash).value()->id, "id" + std::to_string(n));
    }
    EXPECT_EQ(store->upload_ids().value().size(), 50u);
    EXPECT_EQ(store->sealed_before(1011).value().size(), 10u);
    EXPECT_FALSE(store->reference_exists(record(51).reference).value());

    // A read left open would keep another connection from writing the log back completely.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "metadata.sqlite3").c_str(), &raw), SQLITE_OK);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> other(raw, &sqlite3_close);
    sqlite3_stmt* checkpoint = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(other.get(), "PRAGMA wal_checkpoint(TRUNCATE)", -1, &checkpoint, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(checkpoint), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(checkpoint, 0), 0) << "the checkpoint was blocked";
    sqlite3_finalize(checkpoint);

    // A statement reused with other values acts on those.
    ASSERT_TRUE(store->mark_expired("id3", 2000));
    ASSERT_TRUE(store->mark_expired("id4", 2000));
    EXPECT_EQ(store->find_by_receipt(record(3).receipt_hash).value()->state, UploadState::expired);
    EXPECT_EQ(store->find_by_receipt(record(5).receipt_hash).value()->state, UploadState::sealed);
}

TEST(SqliteStore, ARecordSurvivesClosingAndOpeningAgain) {
    const TempDir dir;
    ASSERT_TRUE(open_sqlite_store(dir / "metadata.sqlite3").value()->record_sealed(record(1)));
    auto reopened = open_sqlite_store(dir / "metadata.sqlite3").value();
    EXPECT_EQ(reopened->upload_ids().value(), std::vector<std::string>{"id1"});
}

class SqliteStoreOnASmallDisk : public testing::Test {
protected:
    void SetUp() override {
        m_disk = test::SmallDisk::mount(m_dir / "disk", "1m");
        if (!m_disk) {
            GTEST_SKIP() << "no mount namespace of its own for the small disk";
        }
    }

    TempDir m_dir;
    std::unique_ptr<test::SmallDisk> m_disk;
};

TEST_F(SqliteStoreOnASmallDisk, AFullDiskIsOutOfSpaceAndTheStoreGoesOnOnceThereIsRoom) {
    auto store = open_sqlite_store(m_dir / "disk/metadata.sqlite3").value();
    ASSERT_TRUE(store->record_sealed(record(1)));
    m_disk->fill();
    const auto refused = store->record_sealed(record(2));
    ASSERT_FALSE(refused);
    EXPECT_TRUE(util::is_out_of_space(refused.error())) << refused.error().message();

    std::filesystem::remove(m_dir / "disk/filler");
    EXPECT_TRUE(store->record_sealed(record(3))) << "the failed commit was rolled back";
    EXPECT_EQ(store->upload_ids().value(), (std::vector<std::string>{"id1", "id3"}));
}

} // namespace
} // namespace supportdrop::db
