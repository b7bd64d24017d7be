// Interoperability of `supportdrop seal/open` with Debian's age CLI (the Go reference), both ways.

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace supportdrop::test {
namespace {

const std::string k_supportdrop = shell_quote(SUPPORTDROP_BINARY);

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

class AgeInterop : public testing::Test {
protected:
    void SetUp() override {
        const auto ours = run_shell(k_supportdrop + " keygen -o ours.key", m_dir.path());
        ASSERT_EQ(ours.exit_code, 0) << ours.err;
        m_our_recipient = first_line(ours.out);
        const auto theirs = run_shell("age-keygen -o age.key && age-keygen -y age.key", m_dir.path());
        ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
        m_age_recipient = first_line(theirs.out);
    }

    ProcessResult run(const std::string& command) { return run_shell(command, m_dir.path()); }

    TempDir m_dir;
    std::string m_our_recipient;
    std::string m_age_recipient;
};

class AgeInteropSizes : public AgeInterop, public testing::WithParamInterface<std::size_t> {};

TEST_P(AgeInteropSizes, AgeOpensWhatSupportdropSeals) {
    write_file(m_dir / "plain", pattern_bytes(GetParam()));
    auto sealed = run(k_supportdrop + " seal -r " + m_age_recipient + " -o sealed.age plain");
    ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
    // age -o creates no file for an empty payload, so redirect instead.
    auto opened = run("age -d -i age.key sealed.age > opened && cmp plain opened");
    EXPECT_EQ(opened.exit_code, 0) << opened.err << opened.out;
}

TEST_P(AgeInteropSizes, SupportdropOpensWhatAgeSeals) {
    write_file(m_dir / "plain", pattern_bytes(GetParam()));
    auto sealed = run("age -r " + m_our_recipient + " -o sealed.age plain");
    ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
    auto opened = run(k_supportdrop + " open -i ours.key -o opened sealed.age && cmp plain opened");
    EXPECT_EQ(opened.exit_code, 0) << opened.err << opened.out;
}

TEST_P(AgeInteropSizes, StreamsThroughPipes) {
    write_file(m_dir / "plain", pattern_bytes(GetParam()));
    auto piped = run("cat plain | " + k_supportdrop + " seal -r " + m_our_recipient + " | " + k_supportdrop +
                     " open -i ours.key | cmp plain -");
    EXPECT_EQ(piped.exit_code, 0) << piped.err << piped.out;
}

INSTANTIATE_TEST_SUITE_P(PayloadSizes, AgeInteropSizes,
                         testing::Values(0, 1, 65535, 65536, 65537, 5 * 1024 * 1024, 50 * 1024 * 1024),
                         [](const testing::TestParamInfo<std::size_t>& param) {
                             return "bytes_" + std::to_string(param.param);
                         });

TEST_F(AgeInterop, TwoRecipientsCanEachOpen) {
    write_file(m_dir / "plain", pattern_bytes(100000));
    ASSERT_EQ(
        run(k_supportdrop + " seal -r " + m_our_recipient + " -r " + m_age_recipient + " -o ours.age plain").exit_code,
        0);
    EXPECT_EQ(run(k_supportdrop + " open -i ours.key ours.age | cmp plain -").exit_code, 0);
    EXPECT_EQ(run("age -d -i age.key ours.age | cmp plain -").exit_code, 0);
    EXPECT_EQ(run(k_supportdrop + " open -i age.key ours.age | cmp plain -").exit_code, 0);

    ASSERT_EQ(run("age -r " + m_our_recipient + " -r " + m_age_recipient + " -o theirs.age plain").exit_code, 0);
    EXPECT_EQ(run(k_supportdrop + " open -i ours.key theirs.age | cmp plain -").exit_code, 0);
    EXPECT_EQ(run(k_supportdrop + " open -i age.key theirs.age | cmp plain -").exit_code, 0);
}

TEST_F(AgeInterop, RecipientsFileAndSeveralIdentityFiles) {
    write_file(m_dir / "plain", pattern_bytes(1000));
    ASSERT_EQ(run("printf '# staff\\n%s\\n\\n' " + m_age_recipient + " > staff.txt").exit_code, 0);
    ASSERT_EQ(run(k_supportdrop + " seal -R staff.txt -o sealed.age plain").exit_code, 0);
    EXPECT_EQ(run("age -d -i age.key sealed.age | cmp plain -").exit_code, 0);
    EXPECT_EQ(run(k_supportdrop + " open -i ours.key -i age.key sealed.age | cmp plain -").exit_code, 0);
}

TEST_F(AgeInterop, WrongIdentityIsNoMatch) {
    write_file(m_dir / "plain", pattern_bytes(1000));
    ASSERT_EQ(run(k_supportdrop + " seal -r " + m_age_recipient + " -o sealed.age plain").exit_code, 0);
    ASSERT_EQ(run("age -r " + m_age_recipient + " -o theirs.age plain").exit_code, 0);
    for (const char* file : {"sealed.age", "theirs.age"}) {
        auto opened = run(k_supportdrop + " open -i ours.key -o opened " + file);
        EXPECT_EQ(opened.exit_code, 1);
        EXPECT_EQ(opened.err, "supportdrop: error: cannot decrypt " + std::string(file) +
                                  ": no identity matched any of the file's recipients (wrong key?)\n");
        EXPECT_FALSE(std::filesystem::exists(m_dir / "opened"));
    }
    auto by_age = run("age -d -i ours.key sealed.age");
    EXPECT_NE(by_age.exit_code, 0);
    EXPECT_NE(by_age.err.find("no identity matched"), std::string::npos) << by_age.err;
}

} // namespace
} // namespace supportdrop::test
