#include "util/bech32.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace supportdrop::util {
namespace {

// The X25519 test identity of the C2SP age vectors and its recipient (age-keygen -y).
constexpr std::string_view k_identity = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

TEST(Bech32, DecodesBip173ValidStrings) {
    for (const char* text : {"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                             "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"}) {
        EXPECT_TRUE(decode_bech32(text)) << text;
    }
}

TEST(Bech32, KeepsTheCaseOfTheHumanReadablePart) {
    auto decoded = decode_bech32(k_identity);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->hrp, "AGE-SECRET-KEY-");
    EXPECT_EQ(decoded->data.size(), 32u);
}

TEST(Bech32, RoundTripsThroughLowerCase) {
    auto decoded = decode_bech32(k_identity);
    ASSERT_TRUE(decoded);
    std::string upper = encode_bech32(decoded->hrp, decoded->data);
    std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    EXPECT_EQ(upper, k_identity);
}

TEST(Bech32, RejectsBadChecksum) {
    std::string text(k_identity);
    text.back() = text.back() == 'Q' ? 'P' : 'Q';
    EXPECT_EQ(decode_bech32(text).error(), Errc::bech32_bad_checksum);
    EXPECT_EQ(decode_bech32("a12uel5m").error(), Errc::bech32_bad_checksum);
}

TEST(Bech32, RejectsMixedCase) {
    std::string text(k_identity);
    text[20] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[20])));
    EXPECT_EQ(decode_bech32(text).error(), Errc::bech32_mixed_case);
}

TEST(Bech32, RejectsCharactersOutsideTheCharset) {
    EXPECT_EQ(decode_bech32("a1b2uel5l").error(), Errc::bech32_invalid_character); // 'b' is not in the charset
    EXPECT_EQ(decode_bech32("a12ue l5l").error(), Errc::bech32_invalid_character);
    EXPECT_EQ(decode_bech32("a12u\xe9l5l").error(), Errc::bech32_invalid_character);
}

TEST(Bech32, RejectsMissingSeparatorOrTooShortChecksum) {
    EXPECT_EQ(decode_bech32("pzry9x0s0muk").error(), Errc::bech32_missing_separator);
    EXPECT_EQ(decode_bech32("1pzry9x0s0muk").error(), Errc::bech32_missing_separator);
    EXPECT_EQ(decode_bech32("a1qqqqq").error(), Errc::bech32_missing_separator);
}

TEST(Bech32, RejectsNonZeroOrOverlongPadding) {
    // Checksums computed with the BIP 173 reference code. 0xff is the 5-bit groups 11111 11100.
    ASSERT_TRUE(decode_bech32("a1lu9cgf6y"));
    EXPECT_EQ(decode_bech32("a1lu9cgf6y")->data, std::vector<std::uint8_t>{0xff});
    EXPECT_EQ(decode_bech32("a1lacwuu8k").error(), Errc::bech32_bad_padding); // 11111 11101: a padding bit set
    EXPECT_EQ(decode_bech32("a1q3g6mn3").error(), Errc::bech32_bad_padding);  // 5 bits: no whole byte
}

} // namespace
} // namespace supportdrop::util
