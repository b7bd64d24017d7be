#include "crypto/sha256.hpp"
#include "http/upload_receiver.hpp"
#include "support/held_queue.hpp"
#include "support/local_pipeline.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace supportdrop::http {
namespace {

std::vector<std::uint8_t> bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

std::string sha256_hex(std::span<const std::uint8_t> data) {
    auto hash = crypto::Sha256::create().value();
    hash.update(data);
    return crypto::to_hex(hash.finish().value());
}

TEST(UploadReceiver, HashesBytesTheParserHeldBackAcrossBuffersLikeAllOthers) {
    // A Readme written on Windows (CRLF) in a tar. The body is cut after every CR: the parser
    // holds each back (it might begin the delimiter) and hands it over with the next buffer,
    // while the bytes of the body are hashed later, when the caller's buffers are still kept
    // (as BodyFeeder does) but the parser has moved on.
    test::TempDir dir;
    const auto packed = test::run_shell("mkdir case && printf 'Export fails.\\r\\nE-Mail: erika@example.com\\r\\n' "
                                        ">case/Readme.txt && tar -cf case.tar case",
                                        dir.path().string());
    ASSERT_EQ(packed.exit_code, 0) << packed.err;
    const std::vector<std::uint8_t> archive = test::read_file(dir / "case.tar");

    std::vector<std::uint8_t> body = bytes("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; "
                                           "filename=\"case.tar\"\r\n\r\n");
    body.insert(body.end(), archive.begin(), archive.end());
    const auto closing = bytes("\r\n--b0undary--\r\n");
    body.insert(body.end(), closing.begin(), closing.end());
    std::vector<std::vector<std::uint8_t>> buffers(1);
    for (const std::uint8_t byte : body) {
        buffers.back().push_back(byte);
        if (byte == '\r') {
            buffers.emplace_back();
        }
    }
    ASSERT_GT(buffers.size(), 4u);

    test::LocalPipeline pipeline(dir.path(), 1 << 20);
    test::HeldQueue queue;
    UploadReceiver receiver(pipeline.context, "b0undary", queue.queue());
    for (const auto& buffer : buffers) {
        ASSERT_FALSE(receiver.feed(buffer));
    }
    queue.run_on_another_thread();
    auto result = receiver.finish();
    ASSERT_TRUE(std::holds_alternative<pipeline::Receipt>(result));
    EXPECT_EQ(std::get<pipeline::Receipt>(result).sha256, sha256_hex(archive));
}

} // namespace
} // namespace supportdrop::http
