#include "pipeline/content_type.hpp"
#include "pipeline/identifiers.hpp"
#include "support/temp_dir.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

namespace supportdrop::pipeline {
namespace {

std::vector<std::uint8_t> head_of(const std::string& name) {
    auto bytes = test::read_file(std::filesystem::path(SUPPORTDROP_TEST_DATA_DIR "/archives") / name);
    bytes.resize(std::min(bytes.size(), k_sniff_size));
    return bytes;
}

TEST(ContentType, RecognisesTheAcceptedArchives) {
    EXPECT_EQ(detect_content_type(head_of("test_read_format_zip.zip")).archive, ArchiveType::zip);
    EXPECT_EQ(detect_content_type(head_of("test_read_format_rar.rar")).archive, ArchiveType::rar4);
    EXPECT_EQ(detect_content_type(head_of("test_read_format_rar5_stored.rar")).archive, ArchiveType::rar5);
    EXPECT_EQ(detect_content_type(head_of("test_compat_gzip_1.tgz")).archive, ArchiveType::gzip);
    EXPECT_EQ(detect_content_type(head_of("test_compat_gtar_1.tar")).archive, ArchiveType::tar);
    EXPECT_EQ(detect_content_type(head_of("test_pax_filename_encoding.tar")).archive, ArchiveType::tar);
}

TEST(ContentType, RefusesATarHeaderWithABadChecksum) {
    auto head = head_of("test_compat_gtar_1.tar");
    head[0] ^= 1;
    EXPECT_FALSE(detect_content_type(head).archive);
    const auto short_head = head_of("test_compat_gtar_1.tar");
    EXPECT_FALSE(detect_content_type(std::span(short_head).first(511)).archive);
}

TEST(ContentType, NamesOtherContent) {
    EXPECT_EQ(detect_content_type({}).other, OtherContent::empty);
    EXPECT_EQ(detect_content_type(util::bytes_of("%PDF-1.7")).other, OtherContent::pdf);
    EXPECT_EQ(detect_content_type(util::bytes_of("\x89PNG\r\n\x1a\nxxxx")).other, OtherContent::png);
    EXPECT_EQ(detect_content_type(util::bytes_of("\xff\xd8\xff\xe0")).other, OtherContent::jpeg);
    EXPECT_EQ(detect_content_type(util::bytes_of("7z\xbc\xaf\x27\x1c")).other, OtherContent::seven_zip);
    EXPECT_EQ(detect_content_type(util::bytes_of("MZ\x90")).other, OtherContent::executable);
    EXPECT_EQ(detect_content_type(util::bytes_of("hello, world\n")).other, OtherContent::text);
    EXPECT_EQ(detect_content_type(util::bytes_of(std::string("\x01\x02\x03\x00", 4))).other, OtherContent::unknown);
    EXPECT_FALSE(detect_content_type(util::bytes_of("%PDF-1.7")).archive);
}

TEST(ContentType, ExtensionCheck) {
    EXPECT_TRUE(extension_matches(ArchiveType::zip, "Logs.ZIP"));
    EXPECT_FALSE(extension_matches(ArchiveType::zip, "logs.tar.gz"));
    EXPECT_TRUE(extension_matches(ArchiveType::gzip, "logs.tgz"));
    EXPECT_TRUE(extension_matches(ArchiveType::rar5, "x.rar"));
    EXPECT_FALSE(extension_matches(ArchiveType::tar, "x.tar.gz"));
}

TEST(Identifiers, HaveTheirShapeAndDiffer) {
    const std::string id = mint_upload_id().value();
    EXPECT_EQ(id.size(), 32u);
    EXPECT_NE(id, mint_upload_id().value());
    const std::string reference = mint_reference().value();
    ASSERT_EQ(reference.size(), 12u);
    EXPECT_TRUE(reference.starts_with("SD-"));
    EXPECT_EQ(reference[7], '-');
    EXPECT_EQ(reference.find_first_of("ILOU", 3), std::string::npos);
    const std::string token = mint_receipt_token().value();
    EXPECT_TRUE(is_receipt_token(token));
    EXPECT_FALSE(is_receipt_token(token.substr(1)));
    EXPECT_FALSE(is_receipt_token(token.substr(1) + "/"));
    EXPECT_NE(hash_receipt_token(token).value(), hash_receipt_token(mint_receipt_token().value()).value());
}

} // namespace
} // namespace supportdrop::pipeline
