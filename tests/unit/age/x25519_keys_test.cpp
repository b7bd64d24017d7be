#include "age/x25519_keys.hpp"
#include "util/bech32.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace supportdrop::age {
namespace {

// The X25519 test identity of the C2SP age vectors and its recipient (from age-keygen -y).
constexpr std::string_view k_identity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
constexpr std::string_view k_recipient = "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef";

TEST(X25519Keys, ParsesAndPrintsTheVectorIdentity) {
    auto identity = X25519Identity::parse(k_identity);
    ASSERT_TRUE(identity) << identity.error().message();
    EXPECT_EQ(identity->to_string(), k_identity);
    EXPECT_EQ(identity->recipient().to_string(), k_recipient);
    auto recipient = X25519Recipient::parse(k_recipient);
    ASSERT_TRUE(recipient);
    EXPECT_EQ(*recipient, identity->recipient());
}

TEST(X25519Keys, GeneratedIdentityRoundTrips) {
    auto identity = X25519Identity::generate();
    ASSERT_TRUE(identity);
    auto parsed = X25519Identity::parse(identity->to_string());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->recipient(), identity->recipient());
    EXPECT_NE(X25519Identity::generate()->recipient(), identity->recipient());
}

TEST(X25519Keys, WrapsForItsRecipientOnly) {
    const auto identity = X25519Identity::generate().value();
    const auto other = X25519Identity::generate().value();
    const FileKey file_key = generate_file_key().value();
    const Stanza stanza = identity.recipient().wrap(file_key).value();
    EXPECT_EQ(stanza.type, "X25519");
    ASSERT_EQ(stanza.arguments.size(), 1u);
    EXPECT_EQ(stanza.body.size(), 32u);

    auto unwrapped = identity.unwrap(stanza);
    ASSERT_TRUE(unwrapped && *unwrapped);
    EXPECT_TRUE(std::ranges::equal((*unwrapped)->bytes(), file_key.bytes()));
    auto not_ours = other.unwrap(stanza);
    ASSERT_TRUE(not_ours);
    EXPECT_FALSE(*not_ours);
}

TEST(X25519Keys, IgnoresOtherStanzaTypes) {
    const auto identity = X25519Identity::generate().value();
    auto result = identity.unwrap(Stanza{"scrypt", {"salt", "18"}, {}});
    ASSERT_TRUE(result);
    EXPECT_FALSE(*result);
}

TEST(X25519Keys, RejectsMalformedStanzas) {
    const auto identity = X25519Identity::generate().value();
    const Stanza good = identity.recipient().wrap(generate_file_key().value()).value();
    Stanza extra = good;
    extra.arguments.push_back("x");
    EXPECT_EQ(identity.unwrap(extra).error(), Errc::malformed_x25519_stanza);
    Stanza short_share = good;
    short_share.arguments[0].pop_back();
    EXPECT_EQ(identity.unwrap(short_share).error(), Errc::malformed_x25519_stanza);
    Stanza long_body = good;
    long_body.body.push_back(0);
    EXPECT_EQ(identity.unwrap(long_body).error(), Errc::invalid_file_key_size);
    Stanza low_order = good;
    low_order.arguments[0] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    EXPECT_EQ(identity.unwrap(low_order).error(), Errc::low_order_share);
}

TEST(X25519Keys, RejectsWrongPrefixAndCase) {
    // A valid Bech32 string of the wrong kind.
    EXPECT_EQ(X25519Recipient::parse(k_identity).error(), Errc::invalid_recipient);
    EXPECT_EQ(X25519Identity::parse(k_recipient).error(), Errc::invalid_identity);
    std::string lower(k_identity);
    std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    EXPECT_EQ(X25519Identity::parse(lower).error(), Errc::invalid_identity);
    std::string upper(k_recipient);
    std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    EXPECT_EQ(X25519Recipient::parse(upper).error(), Errc::invalid_recipient);
}

TEST(X25519Keys, RejectsBadChecksumMixedCaseAndWrongLength) {
    std::string typo(k_recipient);
    typo[10] = typo[10] == 'q' ? 'p' : 'q';
    EXPECT_EQ(X25519Recipient::parse(typo).error(), util::Errc::bech32_bad_checksum);
    std::string mixed(k_recipient);
    mixed[5] = 'M';
    EXPECT_EQ(X25519Recipient::parse(mixed).error(), util::Errc::bech32_mixed_case);
    // A 31-byte key with a valid checksum.
    const std::string short_key = util::encode_bech32("age", std::vector<std::uint8_t>(31, 7));
    EXPECT_EQ(X25519Recipient::parse(short_key).error(), Errc::invalid_key_length);
    EXPECT_EQ(X25519Recipient::parse("").error(), util::Errc::bech32_missing_separator);
}

TEST(X25519Keys, NamesUnsupportedKeyKinds) {
    EXPECT_EQ(X25519Recipient::parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN")
                  .error(),
              Errc::ssh_key_unsupported);
    EXPECT_EQ(X25519Recipient::parse("age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t").error(),
              Errc::plugin_unsupported);
    EXPECT_EQ(X25519Recipient::parse("age1pq1abcdef").error(), Errc::post_quantum_unsupported);
    EXPECT_EQ(
        X25519Identity::parse("AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG").error(),
        Errc::post_quantum_unsupported);
    EXPECT_EQ(X25519Identity::parse("AGE-PLUGIN-YUBIKEY-1XYZ").error(), Errc::plugin_unsupported);
    EXPECT_EQ(X25519Identity::parse("-----BEGIN OPENSSH PRIVATE KEY-----").error(), Errc::ssh_key_unsupported);
}

} // namespace
} // namespace supportdrop::age
