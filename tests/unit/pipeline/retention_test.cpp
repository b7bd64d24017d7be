#include "pipeline/retention.hpp"
#include "pipeline/upload_session.hpp"
#include "support/local_pipeline.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace supportdrop::pipeline {
namespace {

class Retention : public testing::Test {
protected:
    void SetUp() override {
        m_pipeline.context.now = [this] { return m_now; };
    }

    void upload() {
        auto session = UploadSession::start(m_pipeline.context).value();
        const auto archive =
            test::read_file(std::filesystem::path(SUPPORTDROP_TEST_DATA_DIR "/archives") / "test_read_format_zip.zip");
        ASSERT_TRUE(session->append(archive, Kept::until_hashed));
        ASSERT_TRUE(session->finish("case.zip"));
    }

    std::string rows(const std::string& sql) {
        return test::run_shell("sqlite3 metadata.sqlite3 " + test::shell_quote(sql), m_dir.path().string()).out;
    }

    test::TempDir m_dir;
    test::LocalPipeline m_pipeline{m_dir.path(), 1 << 20}; // the sample has no Readme: rules only warn
    // A fake clock: the test moves time instead of waiting.
    std::chrono::system_clock::time_point m_now = std::chrono::system_clock::from_time_t(1'800'000'000);
};

TEST_F(Retention, DeletesUploadsOlderThanTheRetentionAndRecordsIt) {
    upload();
    m_now += std::chrono::days(10);
    upload();
    EXPECT_EQ(m_pipeline.store->list().value().size(), 4u);

    // Day 29 after the first: nothing is due.
    EXPECT_EQ(
        expire_uploads(*m_pipeline.store, *m_pipeline.metadata, m_now + std::chrono::days(19), std::chrono::days(30))
            .value(),
        0u);
    // Day 31 after the first: the first upload goes, the second stays.
    EXPECT_EQ(
        expire_uploads(*m_pipeline.store, *m_pipeline.metadata, m_now + std::chrono::days(21), std::chrono::days(30))
            .value(),
        1u);
    EXPECT_EQ(m_pipeline.store->list().value().size(), 2u);
    EXPECT_EQ(rows("SELECT state, count(*) FROM uploads GROUP BY state ORDER BY state"), "1|1\n3|1\n");
    EXPECT_EQ(rows("SELECT count(*) FROM audit WHERE transition = 'expired'"), "1\n");
    // Running again changes nothing.
    EXPECT_EQ(
        expire_uploads(*m_pipeline.store, *m_pipeline.metadata, m_now + std::chrono::days(21), std::chrono::days(30))
            .value(),
        0u);
}

TEST_F(Retention, AlreadyCollectedFilesAreNoError) {
    upload();
    for (const auto& name : m_pipeline.store->list().value()) {
        ASSERT_TRUE(m_pipeline.store->remove(name));
    }
    EXPECT_EQ(
        expire_uploads(*m_pipeline.store, *m_pipeline.metadata, m_now + std::chrono::days(31), std::chrono::days(30))
            .value(),
        1u);
}

} // namespace
} // namespace supportdrop::pipeline
