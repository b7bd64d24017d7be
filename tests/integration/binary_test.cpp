// The built binary itself: help on every level, version, and the release hardening flags.

#include "support/process.hpp"

#include <gtest/gtest.h>

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
