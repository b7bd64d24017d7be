#include "pipeline/upload_session.hpp"
#include "support/local_pipeline.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

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

    // Uploads the archive in pieces of `piece_size` bytes; returns the receipt's SHA-256.
    std::string upload(std::size_t piece_size, util::Offer helper) {
        auto session = UploadSession::start(m_pipeline.context, std::move(helper)).value();
        for (std::size_t at = 0; at < m_archive.size(); at += piece_size) {
            const auto piece = std::span(m_archive).subspan(at, std::min(piece_size, m_archive.size() - at));
            EXPECT_TRUE(session->append(piece));
        }
        auto receipt = session->finish("case.tar");
        EXPECT_TRUE(receipt) << receipt.error().message();
        return receipt ? receipt->sha256 : std::string();
    }

    test::TempDir m_dir;
    test::LocalPipeline m_pipeline{m_dir.path(), 8 << 20};
    std::vector<std::uint8_t> m_archive;
    std::string m_expected_sha256;
};

TEST_F(UploadSessionHashing, AHelperThreadHashesLargePiecesToTheSameDigest) {
    std::vector<std::thread> helpers;
    std::size_t offers = 0;
    const util::Offer helper = [&](std::function<void()> work) {
        ++offers;
        helpers.emplace_back(std::move(work));
    };
    EXPECT_EQ(upload(std::size_t{1} << 20, helper), m_expected_sha256);
    for (auto& thread : helpers) {
        thread.join();
    }
    EXPECT_EQ(offers, 3u); // the three full MiB; the last 10 KiB (tar headers and end) are hashed in place
}

TEST_F(UploadSessionHashing, PiecesNoHelperGetsToAreHashedInPlace) {
    std::vector<std::function<void()>> never_run;
    const util::Offer busy_pool = [&](std::function<void()> work) { never_run.push_back(std::move(work)); };
    EXPECT_EQ(upload(std::size_t{1} << 20, busy_pool), m_expected_sha256);
    EXPECT_FALSE(never_run.empty());
}

TEST_F(UploadSessionHashing, SmallPiecesAreNotHandedOver) {
    std::size_t offers = 0;
    const util::Offer helper = [&](const std::function<void()>& work) {
        ++offers;
        work();
    };
    EXPECT_EQ(upload(std::size_t{16} << 10, helper), m_expected_sha256);
    EXPECT_EQ(offers, 0u);
    EXPECT_EQ(upload(std::size_t{16} << 10, {}), m_expected_sha256);
}

} // namespace
} // namespace supportdrop::pipeline
