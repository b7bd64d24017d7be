#include "util/base64.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace supportdrop::util {
namespace {

TEST(Base64, EncodesRfc4648VectorsWithoutPadding) {
    EXPECT_EQ(encode_base64_unpadded(bytes_of("")), "");
    EXPECT_EQ(encode_base64_unpadded(bytes_of("f")), "Zg");
    EXPECT_EQ(encode_base64_unpadded(bytes_of("fo")), "Zm8");
    EXPECT_EQ(encode_base64_unpadded(bytes_of("foo")), "Zm9v");
    EXPECT_EQ(encode_base64_unpadded(bytes_of("foob")), "Zm9vYg");
    EXPECT_EQ(encode_base64_unpadded(bytes_of("fooba")), "Zm9vYmE");
    EXPECT_EQ(encode_base64_unpadded(bytes_of("foobar")), "Zm9vYmFy");
}

TEST(Base64, DecodesWhatItEncodes) {
    std::vector<std::uint8_t> all(256);
    for (std::size_t i = 0; i < all.size(); ++i) {
        all[i] = static_cast<std::uint8_t>(i);
    }
    for (std::size_t length = 0; length <= all.size(); ++length) {
        const std::span<const std::uint8_t> data(all.data(), length);
        auto decoded = decode_base64_strict(encode_base64_unpadded(data));
        ASSERT_TRUE(decoded) << length;
        EXPECT_TRUE(std::ranges::equal(*decoded, data)) << length;
    }
}

TEST(Base64, RejectsPadding) {
    EXPECT_EQ(decode_base64_strict("Zg==").error(), Errc::invalid_base64);
    EXPECT_EQ(decode_base64_strict("Zm8=").error(), Errc::invalid_base64);
}

TEST(Base64, RejectsNonCanonicalTrailingBits) {
    // "Zh" decodes to 'f' too, but with a non-zero unused bit.
    EXPECT_EQ(decode_base64_strict("Zh").error(), Errc::invalid_base64);
    EXPECT_EQ(decode_base64_strict("Zm9").error(), Errc::invalid_base64);
    EXPECT_TRUE(decode_base64_strict("Zm8"));
}

TEST(Base64, RejectsWhitespaceAndForeignCharacters) {
    for (const char* text : {"Zm9v\n", "Zm 9v", " Zm9v", "Zm9v\r", "Zm9\tv", "Zm-v", "Zm_v", "Zm9v*"}) {
        EXPECT_EQ(decode_base64_strict(text).error(), Errc::invalid_base64) << text;
    }
}

TEST(Base64, RejectsImpossibleLength) {
    EXPECT_EQ(decode_base64_strict("Z").error(), Errc::invalid_base64);
    EXPECT_EQ(decode_base64_strict("Zm9vY").error(), Errc::invalid_base64);
}

} // namespace
} // namespace supportdrop::util

namespace supportdrop::util {
namespace {

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
    const std::vector<std::uint8_t> data = {0xfb, 0xff, 0xbf};
    EXPECT_EQ(encode_base64_unpadded(data), "+/+/");
    EXPECT_EQ(encode_base64url_unpadded(data), "-_-_");
    EXPECT_EQ(encode_base64url_unpadded(std::vector<std::uint8_t>{'f', 'o'}), "Zm8");
}

} // namespace
} // namespace supportdrop::util
