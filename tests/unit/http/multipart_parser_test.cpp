#include "http/multipart_parser.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace supportdrop::http {
namespace {

struct Part {
    PartHeaders headers;
    std::string data;
    std::string held_back; // the data handed over as PartBytes::held_back
    bool ended = false;
};

class Recorder final : public MultipartHandler {
public:
    Result<void> on_part_begin(const PartHeaders& headers) override {
        parts.push_back({headers, {}, {}, false});
        return {};
    }
    Result<void> on_part_data(std::span<const std::uint8_t> data, PartBytes where) override {
        parts.back().data.append(reinterpret_cast<const char*>(data.data()), data.size());
        const std::less<const std::uint8_t*> before;
        const bool within_feed =
            !before(data.data(), feeding.data()) && !before(feeding.data() + feeding.size(), data.data() + data.size());
        if (where == PartBytes::fed && !within_feed) {
            ADD_FAILURE() << "data said to be fed lies outside the running feed";
        }
        if (where == PartBytes::held_back) {
            parts.back().held_back.append(reinterpret_cast<const char*>(data.data()), data.size());
        }
        return {};
    }
    Result<void> on_part_end() override {
        parts.back().ended = true;
        return {};
    }
    std::vector<Part> parts;
    std::span<const std::uint8_t> feeding; // the bytes of the running feed()
};

// What curl -F sends for one text field and one file.
const std::string k_body = "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
                           "hello\r\n"
                           "--XyZ\r\n"
                           "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".zip\"\r\n"
                           "Content-Type: application/zip\r\n\r\n"
                           "PK\x03\x04 data with \r\n--XyY inside, \r\n-- XyZ and --Xy\r\n"
                           "\r\n--XyZ--\r\n"
                           "epilogue";

// Feeds `body` in slices of `step` bytes.
std::pair<Result<void>, std::vector<Part>> parse(std::string_view body, std::size_t step) {
    Recorder recorder;
    MultipartParser parser("XyZ", recorder);
    for (std::size_t offset = 0; offset < body.size(); offset += step) {
        recorder.feeding = util::bytes_of(body.substr(offset, step));
        if (auto fed = parser.feed(recorder.feeding); !fed) {
            return {fed, recorder.parts};
        }
    }
    return {parser.finish(), recorder.parts};
}

TEST(MultipartParser, ParsesPartsInEverySlicing) {
    for (std::size_t step = 1; step <= k_body.size(); ++step) {
        const auto [result, parts] = parse(k_body, step);
        ASSERT_TRUE(result) << step << ": " << result.error().message();
        ASSERT_EQ(parts.size(), 2u) << step;
        EXPECT_EQ(parts[0].headers.name, "note");
        EXPECT_FALSE(parts[0].headers.filename);
        EXPECT_EQ(parts[0].data, "hello");
        EXPECT_EQ(parts[1].headers.name, "file");
        EXPECT_EQ(parts[1].headers.filename, std::optional<std::string>("a \"b\".zip"));
        EXPECT_EQ(parts[1].headers.content_type, "application/zip");
        EXPECT_EQ(parts[1].data, "PK\x03\x04 data with \r\n--XyY inside, \r\n-- XyZ and --Xy\r\n") << step;
        EXPECT_TRUE(parts[1].ended);
    }
}

TEST(MultipartParser, KeepsDataThatOnlyResemblesTheDelimiter) {
    // "\r\n--XyZ" followed by neither "--" nor CRLF is malformed, but its prefixes are data.
    const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n"
                             "\r\n--Xy\r\n-\r\n--X\r\r\n--XyZ--";
    for (std::size_t step = 1; step <= body.size(); ++step) {
        const auto [result, parts] = parse(body, step);
        ASSERT_TRUE(result) << step;
        EXPECT_EQ(parts.at(0).data, "\r\n--Xy\r\n-\r\n--X\r") << step;
    }
}

TEST(MultipartParser, SaysWhichDataItHeldBackFromAnEarlierFeed) {
    // The upload session hashes fed data later, from the caller's buffer; the bytes at the end of
    // a feed that might have begun a delimiter are kept in the parser and handed over as such
    // once the next feed shows they are data.
    Recorder recorder;
    MultipartParser parser("XyZ", recorder);
    for (const std::string_view piece :
         {"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nfirst\r\n--X", "Y second\r",
          "\nthird\r\n--XyZ--\r\n"}) {
        recorder.feeding = util::bytes_of(piece);
        ASSERT_TRUE(parser.feed(recorder.feeding));
    }
    ASSERT_TRUE(parser.finish());
    EXPECT_EQ(recorder.parts.at(0).data, "first\r\n--XY second\r\nthird");
    EXPECT_EQ(recorder.parts.at(0).held_back, "\r\n--X\r");
}

TEST(MultipartParser, IgnoresThePreamble) {
    const auto [result, parts] =
        parse("preamble text\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nA\r\n--XyZ--", 7);
    ASSERT_TRUE(result);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].data, "A");
}

TEST(MultipartParser, ReportsTruncation) {
    for (const std::size_t cut : {0u, 5u, 40u, 120u, 200u}) {
        const auto [result, parts] = parse(std::string_view(k_body).substr(0, cut), 13);
        ASSERT_FALSE(result) << cut;
        EXPECT_EQ(result.error(), MultipartErrc::truncated) << cut;
    }
}

TEST(MultipartParser, RejectsMalformedParts) {
    for (const char* body : {
             "--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--",
             "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",                       // no disposition
             "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--",    // not form-data
             "--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--XyZ--", // no name
             "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--",       // open quote
             "--XyZ\r\n\r\nx\r\n--XyZ--",                                                   // no headers
             "--XyZ\tjunk",
         }) {
        const auto [result, parts] = parse(body, 4);
        ASSERT_FALSE(result) << body;
        EXPECT_EQ(result.error(), MultipartErrc::malformed) << body;
    }
}

TEST(MultipartParser, BoundsPartHeaders) {
    Recorder recorder;
    MultipartParser parser("XyZ", recorder, 100);
    const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(200, 'a') + "\"\r\n\r\n";
    auto fed = parser.feed(util::bytes_of(body));
    ASSERT_FALSE(fed);
    EXPECT_EQ(fed.error(), MultipartErrc::part_header_too_large);
    Recorder endless;
    MultipartParser slow("XyZ", endless, 100);
    ASSERT_TRUE(slow.feed(util::bytes_of("--XyZ\r\n")));
    Result<void> last;
    for (int i = 0; i < 50 && last; ++i) {
        last = slow.feed(util::bytes_of("X-Header: 0123456789\r\n"));
    }
    EXPECT_EQ(last.error(), MultipartErrc::part_header_too_large);
}

TEST(MultipartParser, StopsOnAHandlerError) {
    class Refusing final : public MultipartHandler {
    public:
        Result<void> on_part_begin(const PartHeaders&) override { return {}; }
        Result<void> on_part_data(std::span<const std::uint8_t>, PartBytes) override {
            return ErrorCode(ENOSPC, boost::system::system_category());
        }
        Result<void> on_part_end() override { return {}; }
    } refusing;
    MultipartParser parser("XyZ", refusing);
    auto fed = parser.feed(util::bytes_of(k_body));
    ASSERT_FALSE(fed);
    EXPECT_EQ(fed.error().value(), ENOSPC);
    EXPECT_FALSE(parser.feed(util::bytes_of("more")));
}

TEST(BoundaryFromContentType, AcceptsQuotedAndPlainBoundaries) {
    EXPECT_EQ(boundary_from_content_type("multipart/form-data; boundary=abc").value(), "abc");
    EXPECT_EQ(boundary_from_content_type("Multipart/Form-Data;boundary=\"a b;c\"").value(), "a b;c");
    EXPECT_EQ(boundary_from_content_type("multipart/form-data; charset=utf-8; boundary=----x").value(), "----x");
}

TEST(BoundaryFromContentType, RejectsOtherTypesAndBadBoundaries) {
    for (const char* type : {"", "multipart/form-data", "multipart/mixed; boundary=a", "application/zip",
                             "multipart/form-data; boundary=", "multipart/form-data; boundary=\"unterminated"}) {
        EXPECT_EQ(boundary_from_content_type(type).error(), MultipartErrc::missing_boundary) << type;
    }
    EXPECT_FALSE(boundary_from_content_type("multipart/form-data; boundary=" + std::string(71, 'a')));
}

} // namespace
} // namespace supportdrop::http
