#include "age/key_file.hpp"

#include <gtest/gtest.h>

namespace supportdrop::age {
namespace {

constexpr std::string_view k_identity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
constexpr std::string_view k_recipient = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef";

TEST(KeyFile, ReadsAgeKeygenLayout) {
    const std::string text = "# created: 2026-11-26T10:00:00Z\n# public key: " + std::string(k_recipient) + "\n\n" +
                             std::string(k_identity) + "\n";
    auto identities = parse_identity_file(text);
    ASSERT_TRUE(identities);
    ASSERT_EQ(identities->size(), 1u);
    EXPECT_EQ(identities->front().recipient().to_string(), k_recipient);
}

TEST(KeyFile, WritesWhatItReads) {
    const auto identity = X25519Identity::generate().value();
    const std::string text = format_identity_file(identity, std::chrono::system_clock::from_time_t(0));
    EXPECT_TRUE(text.starts_with("# created: 1970-01-01T00:00:00Z\n# public key: age1"));
    auto parsed = parse_identity_file(text);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->front().recipient(), identity.recipient());
}

TEST(KeyFile, AcceptsSeveralKeysAndWindowsLineEndings) {
    const auto second = X25519Identity::generate().value();
    const std::string text = std::string(k_identity) + "\r\n" + second.to_string() + "\r\n";
    auto identities = parse_identity_file(text);
    ASSERT_TRUE(identities);
    EXPECT_EQ(identities->size(), 2u);
    auto recipients =
        parse_recipients_file(std::string(k_recipient) + "\n# staff laptop\n" + second.recipient().to_string());
    ASSERT_TRUE(recipients);
    EXPECT_EQ(recipients->size(), 2u);
}

TEST(KeyFile, NamesTheBadLine) {
    const std::string text = "# comment\n" + std::string(k_identity) + "\nnot-a-key\n";
    auto identities = parse_identity_file(text);
    ASSERT_FALSE(identities);
    EXPECT_EQ(identities.error().line, 3u);
    EXPECT_EQ(identities.error().error, util::Errc::bech32_missing_separator);
}

TEST(KeyFile, RejectsFilesWithoutKeys) {
    auto identities = parse_identity_file("# only a comment\n\n");
    ASSERT_FALSE(identities);
    EXPECT_EQ(identities.error().error, Errc::no_identities_in_file);
    auto recipients = parse_recipients_file("");
    ASSERT_FALSE(recipients);
    EXPECT_EQ(recipients.error().error, Errc::no_recipients);
}

TEST(KeyFile, RejectsRecipientInIdentityFile) {
    auto identities = parse_identity_file(std::string(k_recipient) + "\n");
    ASSERT_FALSE(identities);
    EXPECT_EQ(identities.error().error, Errc::invalid_identity);
    EXPECT_EQ(identities.error().line, 1u);
}

} // namespace
} // namespace supportdrop::age
