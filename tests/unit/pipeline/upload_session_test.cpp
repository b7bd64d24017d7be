#include "age/decryptor.hpp"
#include "inspector/errors.hpp"
#include "pipeline/upload_session.hpp"
#include "support/held_queue.hpp"
#include "support/local_pipeline.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <vector>

namespace supportdrop::pipeline {
namespace {

class UploadSessionHashing : public testing::Test {
protected:
    void SetUp() override {
        // A case of 3 MiB that the tar command packs, and its digest by the sha256sum command.
        const auto packed = test::run_shell("mkdir case && head -c 3145728 /dev/urandom >case/data.bin && "
                                            "printf 'Export fails.\\nE-Mail: erika@example.com\\n' >case/Readme.txt && "
                                            "tar -cf case.tar case && sha256sum case.tar | cut -c1-64",
                                            m_dir.path().string());
        ASSERT_EQ(packed.exit_code, 0) << packed.err;
        m_expected_sha256 = packed.out.substr(0, 64);
        m_archive = test::read_file(m_dir / "case.tar");
    }

    // Uploads the archive in pieces of `piece_size` bytes, runs `before_finish`, then finishes;
    // returns the receipt's SHA-256, or the error.
    Result<std::string> upload(
        std::size_t piece_size, HashQueue hash_queue, const std::function<void()>& before_finish = [] {}) {
        auto session = UploadSession::start(m_pipeline.context, {.hash_queue = std::move(hash_queue)}).value();
        for (std::size_t at = 0; at < m_archive.size(); at += piece_size) {
            const auto piece = std::span(m_archive).subspan(at, std::min(piece_size, m_archive.size() - at));
            EXPECT_TRUE(session->append(piece, Kept::until_hashed));
        }
        before_finish();
        auto receipt = session->finish("case.tar");
        if (!receipt) {
            return receipt.error();
        }
        return receipt->sha256;
    }

    test::TempDir m_dir;
    test::LocalPipeline m_pipeline{m_dir.path(), 8 << 20};
    std::vector<std::uint8_t> m_archive;
    std::string m_expected_sha256;
};

TEST_F(UploadSessionHashing, HashingAsItSealsGivesTheDigestOfTheFile) {
    EXPECT_EQ(upload(std::size_t{1} << 20, {}).value(), m_expected_sha256);
    EXPECT_EQ(upload(std::size_t{16} << 10, {}).value(), m_expected_sha256);
}

TEST_F(UploadSessionHashing, AHashQueueHashesLaterOnAnotherThreadToTheSameDigest) {
    test::HeldQueue queue;
    const auto sha256 = upload(std::size_t{1} << 20, queue.queue(), [&] {
        EXPECT_EQ(queue.size(), 4u); // three full MiB and the last 10 KiB, none hashed yet
        queue.run_on_another_thread();
    });
    EXPECT_EQ(sha256.value(), m_expected_sha256);
}

TEST_F(UploadSessionHashing, EveryWayOfWritingTheArchiveSealsTheBytesThatArrived) {
    // In the work thread's workspace or a batch of 1 MiB of its own, through the page cache or
    // past it: the sealed archive opens to the uploaded bytes, and the inspection, which read it
    // back, found the tar's three entries.
    const auto inbox = m_dir / "store/inbox";
    for (const std::size_t write_batch : {std::size_t{0}, std::size_t{1} << 20}) {
        for (const storage::Caching caching : {storage::Caching::keep, storage::Caching::bypass}) {
            SCOPED_TRACE(testing::Message()
                         << "batch " << write_batch << ", bypass " << (caching == storage::Caching::bypass));
            auto session =
                UploadSession::start(m_pipeline.context,
                                     {.hash_queue = {}, .write_batch = write_batch, .archive_caching = caching})
                    .value();
            for (std::size_t at = 0; at < m_archive.size(); at += 256 << 10) {
                const auto piece =
                    std::span(m_archive).subspan(at, std::min<std::size_t>(256 << 10, m_archive.size() - at));
                ASSERT_TRUE(session->append(piece, Kept::until_hashed));
            }
            const Receipt receipt = session->finish("case.tar").value();
            EXPECT_EQ(receipt.sha256, m_expected_sha256);
            ASSERT_TRUE(receipt.inspection);
            EXPECT_EQ(receipt.inspection->entries, 3u);
            for (const auto& entry : std::filesystem::directory_iterator(inbox)) {
                if (entry.path().string().ends_with(".archive.age")) {
                    const auto sealed = test::read_file(entry.path());
                    util::SpanSource source(sealed);
                    auto decryptor = age::Decryptor::open(source, std::span(&m_pipeline.staff, 1)).value();
                    std::vector<std::uint8_t> opened;
                    for (auto chunk = decryptor.read_chunk().value(); !chunk.empty();
                         chunk = decryptor.read_chunk().value()) {
                        opened.insert(opened.end(), chunk.begin(), chunk.end());
                    }
                    EXPECT_EQ(opened, m_archive);
                }
                std::filesystem::remove(entry.path());
            }
        }
    }
}

TEST_F(UploadSessionHashing, BytesKeptOnlyDuringTheCallAreHashedFromACopy) {
    // As the multipart parser's held-back bytes: the caller reuses its buffer at once.
    test::HeldQueue queue;
    auto session = UploadSession::start(m_pipeline.context, {.hash_queue = queue.queue()}).value();
    std::vector<std::uint8_t> scratch;
    for (std::size_t at = 0; at < m_archive.size(); at += 64 << 10) {
        const auto piece = std::span(m_archive).subspan(at, std::min<std::size_t>(64 << 10, m_archive.size() - at));
        scratch.assign(piece.begin(), piece.end());
        ASSERT_TRUE(session->append(scratch, Kept::during_call));
        std::ranges::fill(scratch, 0);
    }
    queue.run_on_another_thread();
    EXPECT_EQ(session->finish("case.tar").value().sha256, m_expected_sha256);
}

// The filesystem store of a test pipeline on a disk that fills up: writes fail with ENOSPC once
// `free_bytes` are used up, or commits fail with `commit_error`. It counts the objects told to
// keep their bytes cached, and the bytes written to the last of them before, and the room
// reserved last.
class FillingStore final : public storage::SealedStore {
public:
    explicit FillingStore(storage::SealedStore& real) : m_real(&real) {}

    std::uint64_t free_bytes = UINT64_MAX;
    ErrorCode commit_error;
    int kept_cached = 0;
    std::uint64_t written_before_kept_cached = 0;
    std::uint64_t reserved = 0;

    Result<std::unique_ptr<storage::PendingObject>> create(const std::string& name, storage::Caching caching) override {
        auto object = m_real->create(name, caching);
        if (!object) {
            return object.error();
        }
        return std::unique_ptr<storage::PendingObject>(new Object(std::move(*object), *this));
    }
    Result<void> commit(std::span<storage::PendingObject* const> objects) override {
        if (commit_error) {
            return commit_error;
        }
        std::vector<storage::PendingObject*> real;
        for (storage::PendingObject* object : objects) {
            real.push_back(static_cast<Object*>(object)->real.get());
        }
        return m_real->commit(real);
    }
    Result<void> remove(const std::string& name) override { return m_real->remove(name); }
    Result<std::vector<std::string>> list() override { return m_real->list(); }
    Result<std::size_t> remove_incomplete() override { return m_real->remove_incomplete(); }
    Result<std::uint64_t> available_bytes() override { return free_bytes; }

private:
    struct Object final : storage::PendingObject {
        Object(std::unique_ptr<storage::PendingObject> real_, FillingStore& store_)
            : real(std::move(real_)), store(&store_) {}
        Result<void> write(std::span<const std::uint8_t> data) override {
            if (data.size() > store->free_bytes) {
                return ErrorCode(ENOSPC, boost::system::system_category());
            }
            store->free_bytes -= data.size();
            bytes_written += data.size();
            return real->write(data);
        }
        std::size_t write_alignment() const override { return real->write_alignment(); }
        util::RandomAccessSource& written() override { return real->written(); }
        void written_all() override { real->written_all(); }
        void keep_cached() override {
            ++store->kept_cached;
            store->written_before_kept_cached = bytes_written;
            real->keep_cached();
        }
        void reserve(std::uint64_t size) override {
            store->reserved = size;
            real->reserve(size);
        }

        std::unique_ptr<storage::PendingObject> real;
        FillingStore* store;
        std::uint64_t bytes_written = 0;
    };

    storage::SealedStore* m_real;
};

class UploadSessionStorage : public UploadSessionHashing {
protected:
    void SetUp() override {
        UploadSessionHashing::SetUp();
        m_pipeline.context.store = &m_store;
    }

    std::size_t files_left() const {
        const auto stored = std::filesystem::recursive_directory_iterator(m_dir / "store");
        return static_cast<std::size_t>(
            std::count_if(begin(stored), end(stored), [](const auto& entry) { return entry.is_regular_file(); }));
    }

    FillingStore m_store{*m_pipeline.store};
};

TEST_F(UploadSessionStorage, ADiskThatFillsUpWhileBytesArriveIsDiskFullAndLeavesNothing) {
    m_store.free_bytes = 1 << 20;
    {
        auto session = UploadSession::start(m_pipeline.context).value();
        Result<void> appended;
        for (std::size_t at = 0; at < m_archive.size() && appended; at += 256 << 10) {
            appended = session->append(
                std::span(m_archive).subspan(at, std::min<std::size_t>(256 << 10, m_archive.size() - at)),
                Kept::until_hashed);
        }
        ASSERT_FALSE(appended);
        EXPECT_EQ(appended.error(), Errc::disk_full);
        EXPECT_EQ(session->storage_error(), ErrorCode(ENOSPC, boost::system::system_category()));
        EXPECT_EQ(session->finish("case.tar").error(), Errc::closed);
    }
    EXPECT_EQ(files_left(), 0u);
    EXPECT_EQ(m_pipeline.metadata->upload_ids().value().size(), 0u);
}

TEST_F(UploadSessionStorage, ADiskFullAtTheCommitIsDiskFullAndOtherFailuresAreStorageFailed) {
    m_store.commit_error = ErrorCode(EDQUOT, boost::system::system_category());
    EXPECT_EQ(upload(std::size_t{1} << 20, {}).error(), Errc::disk_full);
    m_store.commit_error = ErrorCode(EIO, boost::system::system_category());
    EXPECT_EQ(upload(std::size_t{1} << 20, {}).error(), Errc::storage_failed);
    EXPECT_EQ(files_left(), 0u);
    EXPECT_EQ(m_pipeline.metadata->upload_ids().value().size(), 0u);
    // Room again: the same archive is accepted.
    m_store.commit_error = {};
    EXPECT_EQ(upload(std::size_t{1} << 20, {}).value(), m_expected_sha256);
}

TEST_F(UploadSessionStorage, AGzipIsKeptInThePageCacheForItsInspectionWhateverTheOptionsSay) {
    // Its inspection reads every byte back, a tar's only its headers. The session knows the type
    // before it writes a byte, even when the first piece is larger than the encryptor's workspace.
    ASSERT_EQ(test::run_shell("gzip -k case.tar", m_dir.path().string()).exit_code, 0);
    auto gzip = test::read_file(m_dir / "case.tar.gz");
    for (const auto& [archive, name, kept_cached] :
         {std::tuple{&m_archive, "case.tar", 0}, std::tuple{&gzip, "case.tar.gz", 1}}) {
        SCOPED_TRACE(name);
        m_store.kept_cached = 0;
        auto session =
            UploadSession::start(m_pipeline.context, {.hash_queue = {}, .archive_caching = storage::Caching::bypass})
                .value();
        constexpr std::size_t k_piece = std::size_t{512} << 10;
        for (std::size_t at = 0; at < archive->size(); at += k_piece) {
            const auto piece = std::span(*archive).subspan(at, std::min(k_piece, archive->size() - at));
            ASSERT_TRUE(session->append(piece, Kept::until_hashed));
        }
        const Receipt receipt = session->finish(name).value();
        EXPECT_EQ(receipt.inspection->entries, 3u);
        EXPECT_EQ(m_store.kept_cached, kept_cached);
        EXPECT_EQ(m_store.written_before_kept_cached, 0u);
    }
}

TEST_F(UploadSessionStorage, RoomForTheSealedArchiveIsReservedWhenTheRequestSaysItsSize) {
    const auto upload_with = [&](std::optional<std::uint64_t> size_at_most) {
        m_store.reserved = 0;
        auto session =
            UploadSession::start(m_pipeline.context, {.hash_queue = {}, .size_at_most = size_at_most}).value();
        EXPECT_TRUE(session->append(m_archive, Kept::until_hashed));
        EXPECT_EQ(session->finish("case.tar").value().sha256, m_expected_sha256);
    };
    upload_with(m_archive.size()); // the exact size: the sealed archive's, to the byte
    std::uint64_t archive_bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir / "store/inbox")) {
        if (entry.path().string().ends_with(".archive.age")) {
            archive_bytes = entry.file_size();
            std::filesystem::remove(entry.path());
        }
    }
    EXPECT_EQ(m_store.reserved, archive_bytes);
    upload_with(std::uint64_t{1} << 40); // more than the limit of 8 MiB: room for 8 MiB
    EXPECT_EQ(m_store.reserved - archive_bytes,
              age::sealed_payload_size(std::uint64_t{8} << 20) - age::sealed_payload_size(m_archive.size()));
    upload_with(std::nullopt);
    EXPECT_EQ(m_store.reserved, 0u);
}

TEST_F(UploadSessionHashing, FinishingBeforeTheQueueHasRunFailsAndLeavesNothing) {
    test::HeldQueue queue;
    EXPECT_EQ(upload(std::size_t{1} << 20, queue.queue()).error(), Errc::storage_failed);
    const auto stored = std::filesystem::recursive_directory_iterator(m_dir / "store");
    EXPECT_EQ(std::count_if(begin(stored), end(stored), [](const auto& entry) { return entry.is_regular_file(); }), 0);
    // The session is gone; the hashing it queued may still run (ASan: nothing freed under it).
    queue.run_on_another_thread();
}

// A live inspector that records what it is given and inspects in process at the end.
class RecordingLiveInspector final : public inspector::LiveArchiveInspector {
public:
    Result<std::unique_ptr<inspector::LiveInspection>> begin() override {
        ++begun;
        if (refuse) {
            return inspector::Errc::spawn_failed;
        }
        return std::unique_ptr<inspector::LiveInspection>(std::make_unique<Inspection>(*this));
    }

    std::vector<std::uint8_t> offered;
    int begun = 0;
    int finished = 0;
    bool refuse = false;

private:
    struct Inspection final : inspector::LiveInspection {
        explicit Inspection(RecordingLiveInspector& owner_) : owner(&owner_) {}
        void offer(std::span<const std::uint8_t> bytes) override {
            owner->offered.insert(owner->offered.end(), bytes.begin(), bytes.end());
        }
        Result<inspector::InspectionReport> finish(util::RandomAccessSource& plaintext) override {
            ++owner->finished;
            return owner->inner.inspect(plaintext);
        }
        RecordingLiveInspector* owner;
    };

    test::InProcessInspector inner;
};

class UploadSessionLive : public UploadSessionHashing {
protected:
    void SetUp() override {
        UploadSessionHashing::SetUp();
        ASSERT_EQ(test::run_shell("gzip -k case.tar", m_dir.path().string()).exit_code, 0);
        m_gzip = test::read_file(m_dir / "case.tar.gz");
        m_pipeline.context.live_inspector = &m_live;
    }

    // Uploads `archive` in pieces of 300 bytes, then of 64 KiB: the type is decided within the
    // second piece, whose rest goes to the live inspection too.
    Result<Receipt> upload(const std::vector<std::uint8_t>& archive, bool inspect_while_arriving) {
        SessionOptions options;
        options.inspect_while_arriving = inspect_while_arriving;
        auto session = UploadSession::start(m_pipeline.context, options);
        EXPECT_TRUE(session);
        for (std::size_t at = 0; at < archive.size();) {
            const std::size_t piece_size = at < 600 ? 300 : 64 * 1024;
            const auto piece = std::span(archive).subspan(at, std::min(piece_size, archive.size() - at));
            EXPECT_TRUE((*session)->append(piece, Kept::during_call));
            at += piece.size();
        }
        return (*session)->finish("case.tar.gz");
    }

    RecordingLiveInspector m_live;
    std::vector<std::uint8_t> m_gzip;
};

TEST_F(UploadSessionLive, AGzipUploadIsInspectedWhileItArrivesWhenTheOptionsAllow) {
    auto receipt = upload(m_gzip, true);
    ASSERT_TRUE(receipt) << receipt.error().message();
    EXPECT_EQ(m_live.begun, 1);
    EXPECT_EQ(m_live.finished, 1);
    EXPECT_EQ(m_live.offered, m_gzip); // every byte, in order, from the first
    EXPECT_EQ(receipt->inspection->entries, 3u);
    EXPECT_TRUE(receipt->inspection->contact_found);
}

TEST_F(UploadSessionLive, OtherTypesAndOtherOptionsAreInspectedAfterTheLastByte) {
    ASSERT_TRUE(upload(m_archive, true)); // a tar: its inspection reads only its headers
    ASSERT_TRUE(upload(m_gzip, false));
    EXPECT_EQ(m_live.begun, 0);
    EXPECT_TRUE(m_live.offered.empty());
}

TEST_F(UploadSessionLive, AnInspectionThatCannotBeginWhileItArrivesHappensAfterTheLastByte) {
    m_live.refuse = true;
    auto receipt = upload(m_gzip, true);
    ASSERT_TRUE(receipt) << receipt.error().message();
    EXPECT_EQ(m_live.begun, 1);
    EXPECT_EQ(m_live.finished, 0);
    EXPECT_EQ(receipt->inspection->entries, 3u);
}

} // namespace
} // namespace supportdrop::pipeline
