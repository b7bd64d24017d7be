#include "pipeline/upload_session.hpp"
#include "support/local_pipeline.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <thread>
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
        auto session = UploadSession::start(m_pipeline.context, std::move(hash_queue)).value();
        for (std::size_t at = 0; at < m_archive.size(); at += piece_size) {
            const auto piece = std::span(m_archive).subspan(at, std::min(piece_size, m_archive.size() - at));
            EXPECT_TRUE(session->append(piece));
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

// A hash queue that keeps the work offered to it until the test runs it.
class HeldQueue {
public:
    HashQueue queue() {
        return [this](std::function<void()> work) { m_work.push_back(std::move(work)); };
    }
    std::size_t size() const { return m_work.size(); }
    // Runs the work, in the order offered, on another thread.
    void run_on_another_thread() {
        std::thread([this] {
            for (auto& work : m_work) {
                work();
            }
        }).join();
        m_work.clear();
    }

private:
    std::vector<std::function<void()>> m_work;
};

TEST_F(UploadSessionHashing, HashingAsItSealsGivesTheDigestOfTheFile) {
    EXPECT_EQ(upload(std::size_t{1} << 20, {}).value(), m_expected_sha256);
    EXPECT_EQ(upload(std::size_t{16} << 10, {}).value(), m_expected_sha256);
}

TEST_F(UploadSessionHashing, AHashQueueHashesLaterOnAnotherThreadToTheSameDigest) {
    HeldQueue queue;
    const auto sha256 = upload(std::size_t{1} << 20, queue.queue(), [&] {
        EXPECT_EQ(queue.size(), 4u); // three full MiB and the last 10 KiB, none hashed yet
        queue.run_on_another_thread();
    });
    EXPECT_EQ(sha256.value(), m_expected_sha256);
}

TEST_F(UploadSessionHashing, FinishingBeforeTheQueueHasRunFailsAndLeavesNothing) {
    HeldQueue queue;
    EXPECT_EQ(upload(std::size_t{1} << 20, queue.queue()).error(), Errc::storage_failed);
    const auto stored = std::filesystem::recursive_directory_iterator(m_dir / "store");
    EXPECT_EQ(std::count_if(begin(stored), end(stored), [](const auto& entry) { return entry.is_regular_file(); }), 0);
    // The session is gone; the hashing it queued may still run (ASan: nothing freed under it).
    queue.run_on_another_thread();
}

} // namespace
} // namespace supportdrop::pipeline
