#include "age/header.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

namespace supportdrop::age {
namespace {

std::string header_with(const std::vector<Stanza>& stanzas) {
    return serialize_header_without_mac(stanzas) + serialize_mac_suffix(crypto::Sha256Digest{});
}

TEST(Header, RoundTripsStanzasOfEveryBodyLength) {
    // 48 bytes fill exactly one 64-column line, so an empty final line must follow.
    for (const std::size_t body_size : {0u, 1u, 47u, 48u, 49u, 96u, 200u}) {
        const Stanza stanza{"grease", {"a", "~!"}, std::vector<std::uint8_t>(body_size, 0xab)};
        const std::string text = header_with({stanza, stanza});
        auto header = parse_header(util::bytes_of(text));
        ASSERT_TRUE(header) << body_size << ": " << header.error().message();
        ASSERT_EQ(header->stanzas.size(), 2u);
        EXPECT_EQ(header->stanzas[1].type, "grease");
        EXPECT_EQ(header->stanzas[1].arguments, (std::vector<std::string>{"a", "~!"}));
        EXPECT_EQ(header->stanzas[1].body, stanza.body);
        EXPECT_EQ(header->size, text.size());
        EXPECT_EQ(text.substr(header->mac_input_size - 3, 3), "---");
    }
}

TEST(Header, ReportsTruncationAtEveryCut) {
    const std::string text = header_with({Stanza{"X25519", {"abc"}, std::vector<std::uint8_t>(32, 1)}});
    for (std::size_t cut = 0; cut < text.size(); ++cut) {
        auto header = parse_header(util::bytes_of(text.substr(0, cut)));
        ASSERT_FALSE(header) << cut;
        EXPECT_EQ(header.error(), Errc::header_truncated) << cut;
    }
}

TEST(Header, RejectsGarbageWithoutWaitingForANewline) {
    EXPECT_EQ(parse_header(util::bytes_of("%PDF-1.7")).error(), Errc::unsupported_version);
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v2\n")).error(), Errc::unsupported_version);
    EXPECT_EQ(parse_header(util::bytes_of("-----BEGIN AGE ENCRYPTED FILE-----\n")).error(), Errc::armor_unsupported);
}

TEST(Header, RejectsMalformedLines) {
    const std::string mac = " " + std::string(43, 'A') + "\n";
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v1\nhello\n")).error(), Errc::malformed_header_line);
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v1\n->\n\n---" + mac)).error(), Errc::malformed_stanza);
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v1\n-> a  b\n\n---" + mac)).error(),
              Errc::malformed_stanza);
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v1\n-> a\nZg==\n---" + mac)).error(),
              Errc::malformed_stanza_body);
    EXPECT_EQ(
        parse_header(util::bytes_of("age-encryption.org/v1\n-> a\n" + std::string(65, 'A') + "\n\n---" + mac)).error(),
        Errc::malformed_stanza_body);
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v1\n---  " + std::string(43, 'A') + "\n")).error(),
              Errc::malformed_mac_line);
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v1\n--- AAAA\n")).error(), Errc::malformed_mac_line);
    EXPECT_EQ(parse_header(util::bytes_of("age-encryption.org/v1\r\n---" + mac)).error(), Errc::unsupported_version);
}

TEST(Header, MacCoversTheHeaderUpToTheDashes) {
    const FileKey key = generate_file_key().value();
    const std::string without_mac = serialize_header_without_mac({});
    const std::string text =
        without_mac + serialize_mac_suffix(compute_header_mac(key, util::bytes_of(without_mac)).value());
    const Header header = parse_header(util::bytes_of(text)).value();
    EXPECT_TRUE(verify_header_mac(key, header, util::bytes_of(text)));
    const FileKey other = generate_file_key().value();
    EXPECT_EQ(verify_header_mac(other, header, util::bytes_of(text)).error(), Errc::header_mac_mismatch);
}

} // namespace
} // namespace supportdrop::age
