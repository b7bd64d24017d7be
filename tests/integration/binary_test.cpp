// The built binary itself: help on every level, version, and the release hardening flags.

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace supportdrop::test {
namespace {

const std::string k_supportdrop = shell_quote(SUPPORTDROP_BINARY);

TEST(Binary, HelpOnEveryLevel) {
    const auto top = run_shell(k_supportdrop + " --help");
    EXPECT_EQ(top.exit_code, 0);
    for (const char* command : {"keygen", "seal", "open"}) {
        EXPECT_NE(top.out.find(command), std::string::npos) << command;
        const auto help = run_shell(k_supportdrop + " " + command + " --help");
        EXPECT_EQ(help.exit_code, 0) << command;
        EXPECT_NE(help.out.find("--output"), std::string::npos) << command;
    }
    for (const char* command : {"serve", "check-config"}) {
        EXPECT_NE(top.out.find(command), std::string::npos) << command;
        EXPECT_EQ(run_shell(k_supportdrop + " " + command + " --help").exit_code, 0) << command;
    }
}

TEST(Binary, CheckConfigAcceptsTheExampleAndExplainsMistakes) {
    const auto example =
        run_shell(k_supportdrop + " check-config " SUPPORTDROP_SOURCE_DIR "/config/supportdrop.example.toml");
    EXPECT_EQ(example.exit_code, 0) << example.err;
    EXPECT_NE(example.out.find("retention:         30 days"), std::string::npos) << example.out;
    TempDir dir;
    std::ofstream(dir / "broken.toml") << "[limits]\nmax_upload_byte = 5\n";
    const auto broken = run_shell(k_supportdrop + " check-config broken.toml", dir.path());
    EXPECT_EQ(broken.exit_code, 1);
    EXPECT_NE(broken.err.find("broken.toml:2: limits.max_upload_byte: unknown option"), std::string::npos)
        << broken.err;
    std::ofstream(dir / "recipient.toml") << "[sealing]\nrecipients = [\"age1nope\"]\n";
    const auto bad_recipient = run_shell(k_supportdrop + " check-config recipient.toml", dir.path());
    EXPECT_EQ(bad_recipient.exit_code, 1);
    EXPECT_NE(bad_recipient.err.find("sealing.recipients: 'age1nope'"), std::string::npos) << bad_recipient.err;
    std::ofstream(dir / "policy.toml") << "[inspection.policy]\nmissing_readmee = \"warn\"\n";
    const auto bad_policy = run_shell(k_supportdrop + " check-config policy.toml", dir.path());
    EXPECT_EQ(bad_policy.exit_code, 1);
    EXPECT_NE(bad_policy.err.find("inspection.policy.missing_readmee: unknown reason; known: format_mismatch,"),
              std::string::npos)
        << bad_policy.err;
}

TEST(Binary, PrintsItsVersion) {
    const auto version = run_shell(k_supportdrop + " --version");
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_TRUE(version.out.starts_with("supportdrop ")) << version.out;
}

TEST(Binary, IsHardened) {
    // Release builds: position-independent, full RELRO (BIND_NOW), fortified libc calls.
    if (!SUPPORTDROP_RELEASE_BUILD) {
        GTEST_SKIP() << "hardening flags apply to release builds only";
    }
    const auto dynamic = run_shell("readelf -d " + k_supportdrop);
    ASSERT_EQ(dynamic.exit_code, 0);
    EXPECT_NE(dynamic.out.find("PIE"), std::string::npos);
    EXPECT_NE(dynamic.out.find("BIND_NOW"), std::string::npos);
    EXPECT_NE(run_shell("readelf -lW " + k_supportdrop).out.find("GNU_RELRO"), std::string::npos);
    EXPECT_NE(run_shell("nm -D " + k_supportdrop).out.find("_chk@"), std::string::npos);
}

} // namespace
} // namespace supportdrop::test
