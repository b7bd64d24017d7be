// Bad input to the command line: each gets a one-line reason, a non-zero exit status, and
// leaves no output file behind.

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace supportdrop::test {
namespace {

const std::string k_supportdrop = shell_quote(SUPPORTDROP_BINARY);

class CliBadInput : public testing::Test {
protected:
    void SetUp() override {
        const auto keygen = run(k_supportdrop + " keygen -o staff.key");
        ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
        m_recipient = keygen.out.substr(0, keygen.out.find('\n'));
        write_file(m_dir / "plain", pattern_bytes(200000));
        ASSERT_EQ(run(k_supportdrop + " seal -r " + m_recipient + " -o sealed.age plain").exit_code, 0);
        m_before = m_dir.entries();
    }

    ProcessResult run(const std::string& command) { return run_shell(command, m_dir.path()); }

    // The command failed with exit status 1, one line naming `reason`, and left nothing.
    void expect_clean_failure(const std::string& command, const std::string& reason) {
        const auto result = run(command);
        EXPECT_EQ(result.exit_code, 1) << command;
        EXPECT_TRUE(result.err.starts_with("supportdrop: error: ")) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_NE(result.err.find(reason), std::string::npos) << "expected '" << reason << "' in: " << result.err;
        EXPECT_EQ(m_dir.entries(), m_before) << command;
    }

    TempDir m_dir;
    std::string m_recipient;
    std::vector<std::string> m_before;
};

TEST_F(CliBadInput, TruncatedFile) {
    ASSERT_EQ(run("head -c 70000 sealed.age > cut.age").exit_code, 0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out cut.age", "damaged or truncated");
    ASSERT_EQ(run("head -c 100 sealed.age > header-only.age").exit_code, 0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out header-only.age", "truncated");
}

TEST_F(CliBadInput, GarbageAndForeignFiles) {
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out plain", "not an age v1 file");
    ASSERT_EQ(run("printf '%%PDF-1.7\\n' > doc.pdf && : > empty").exit_code, 0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out doc.pdf", "not an age v1 file");
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out empty", "header is truncated");
    ASSERT_EQ(run(k_supportdrop + " seal -r " + m_recipient + " plain | age -a -r " + m_recipient + " > armored.age")
                  .exit_code,
              0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out armored.age", "ASCII-armored");
}

TEST_F(CliBadInput, DamagedPayload) {
    ASSERT_EQ(run("cp sealed.age damaged.age && printf 'X' | dd of=damaged.age bs=1 seek=150000 conv=notrunc "
                  "status=none")
                  .exit_code,
              0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out damaged.age", "damaged");
}

TEST_F(CliBadInput, MalformedRecipients) {
    std::string typo = m_recipient;
    typo[8] = typo[8] == 'q' ? 'p' : 'q';
    expect_clean_failure(k_supportdrop + " seal -r " + typo + " -o out plain", "checksum");
    expect_clean_failure(k_supportdrop + " seal -r age1short -o out plain", "recipient 'age1short'");
    expect_clean_failure(k_supportdrop + " seal -r 'ssh-ed25519 AAAA' -o out plain", "SSH keys are not supported");
    expect_clean_failure(k_supportdrop + " seal -o out plain", "no recipients given");
    expect_clean_failure(k_supportdrop + " seal -R missing.txt -o out plain", "cannot read recipients file");
    expect_clean_failure(k_supportdrop + " seal -R staff.key -o out plain", "recipients file 'staff.key', line 3");
}

TEST_F(CliBadInput, MalformedOrMissingIdentities) {
    expect_clean_failure(k_supportdrop + " open -i missing.key -o out sealed.age",
                         "cannot read identity file 'missing.key': No such file or directory");
    ASSERT_EQ(run("printf '# comment\\nAGE-SECRET-KEY-1XYZ\\n' > bad.key && chmod 600 bad.key").exit_code, 0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " open -i bad.key -o out sealed.age", "identity file 'bad.key', line 2");
    ASSERT_EQ(run("printf '%s\\n' " + m_recipient + " > public.key && chmod 600 public.key").exit_code, 0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " open -i public.key -o out sealed.age", "not an age X25519 identity");
}

TEST_F(CliBadInput, UnreadableInput) {
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out missing.age",
                         "cannot open input 'missing.age': No such file or directory");
    expect_clean_failure(k_supportdrop + " seal -r " + m_recipient + " -o out missing",
                         "cannot open input 'missing': No such file or directory");
    ASSERT_EQ(run("mkdir folder").exit_code, 0);
    m_before = m_dir.entries();
    expect_clean_failure(k_supportdrop + " seal -r " + m_recipient + " -o out folder", "Is a directory");
    expect_clean_failure(k_supportdrop + " open -i staff.key -o out folder", "Is a directory");
}

TEST_F(CliBadInput, ExistingOutputIsNeverOverwritten) {
    expect_clean_failure(k_supportdrop + " seal -r " + m_recipient + " -o plain sealed.age", "file exists");
    expect_clean_failure(k_supportdrop + " open -i staff.key -o plain sealed.age", "file exists");
    expect_clean_failure(k_supportdrop + " keygen -o staff.key", "file exists");
    EXPECT_EQ(read_file(m_dir / "plain").size(), 200000u);
}

TEST_F(CliBadInput, MissingOutputDirectory) {
    expect_clean_failure(k_supportdrop + " open -i staff.key -o nowhere/out sealed.age", "No such file or directory");
}

TEST_F(CliBadInput, UsageErrorsExitWithTwo) {
    EXPECT_EQ(run(k_supportdrop).exit_code, 2);
    EXPECT_EQ(run(k_supportdrop + " open sealed.age").exit_code, 2); // -i is required
    EXPECT_EQ(run(k_supportdrop + " frobnicate").exit_code, 2);
    EXPECT_EQ(run(k_supportdrop + " seal --no-such-flag").exit_code, 2);
    EXPECT_EQ(m_dir.entries(), m_before);
}

TEST_F(CliBadInput, InterruptedSealLeavesNothing) {
    // The input stays open (sleep), so seal is mid-stream when SIGTERM arrives.
    const auto result = run("(cat plain; sleep 3) | " + k_supportdrop + " seal -r " + m_recipient +
                            " -o out & pid=$!; sleep 0.5; ls -a | grep -c 'out.tmp'; kill -TERM $pid; wait $pid; "
                            "echo status=$?");
    EXPECT_NE(result.out.find("1\n"), std::string::npos) << "no temporary file seen: " << result.out;
    EXPECT_NE(result.out.find("status=143"), std::string::npos) << result.out;
    EXPECT_EQ(m_dir.entries(), m_before);
}

TEST(CliKeys, KeygenWritesAPrivateFileAndPrintsTheRecipient) {
    TempDir dir;
    const auto result = run_shell(k_supportdrop + " keygen -o id.key", dir.path());
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(result.out.starts_with("age1"));
    EXPECT_EQ(result.out.size(), 63u); // 62 characters and a newline
    struct stat st {};
    ASSERT_EQ(::stat((dir / "id.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const auto to_stdout = run_shell(k_supportdrop + " keygen", dir.path());
    EXPECT_NE(to_stdout.out.find("AGE-SECRET-KEY-1"), std::string::npos);
    EXPECT_TRUE(to_stdout.err.starts_with("Public key: age1"));
}

TEST(CliKeys, OpenWarnsAboutAnIdentityFileOthersCanRead) {
    TempDir dir;
    const auto keygen = run_shell(k_supportdrop + " keygen -o id.key && chmod 644 id.key", dir.path());
    ASSERT_EQ(keygen.exit_code, 0);
    const std::string recipient = keygen.out.substr(0, keygen.out.find('\n'));
    const auto result = run_shell(
        "echo hi | " + k_supportdrop + " seal -r " + recipient + " | " + k_supportdrop + " open -i id.key", dir.path());
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "hi\n");
    EXPECT_NE(result.err.find("warning: identity file 'id.key' is accessible by group or others (mode 0644)"),
              std::string::npos)
        << result.err;
}

} // namespace
} // namespace supportdrop::test
