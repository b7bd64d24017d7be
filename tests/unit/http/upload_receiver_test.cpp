#include "http/body_feeder.hpp"
#include "http/upload_receiver.hpp"
#include "support/held_queue.hpp"
#include "support/local_pipeline.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace supportdrop::http {
namespace {

// A case whose Readme was written on Windows (CRLF), in a tar, as a multipart body cut after
// every CR: the parser holds each CR back (it might begin the delimiter) and hands it over with
// the next piece, while the hashing of the body's bytes runs later, from the caller's buffers.
class UploadReceiverHashing : public testing::Test {
protected:
    void SetUp() override {
        // The body as curl -F frames it, and the archive's digest by the sha256sum command.
        const auto packed = test::run_shell(
            "mkdir case && printf 'Export fails.\\r\\nE-Mail: erika@example.com\\r\\n' >case/Readme.txt && "
            "head -c 100000 /dev/urandom >case/data.bin && tar -cf case.tar case && "
            "{ printf -- '--b0undary\\r\\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"case.tar\"\\r\\n\\r\\n' "
            "&& cat case.tar && printf -- '\\r\\n--b0undary--\\r\\n'; } >body && sha256sum case.tar | cut -c1-64",
            m_dir.path().string());
        ASSERT_EQ(packed.exit_code, 0) << packed.err;
        m_archive_sha256 = packed.out.substr(0, 64);
        const std::vector<std::uint8_t> body = test::read_file(m_dir / "body");
        m_pieces.emplace_back();
        for (const std::uint8_t byte : body) {
            m_pieces.back().push_back(byte);
            if (byte == '\r') {
                m_pieces.emplace_back();
            }
        }
        ASSERT_GT(m_pieces.size(), 100u);
    }

    static std::string sha256_of(std::variant<pipeline::Receipt, Refusal> result) {
        if (const auto* refusal = std::get_if<Refusal>(&result)) {
            return "refused: " + std::string(info(refusal->error).code);
        }
        return std::get<pipeline::Receipt>(result).sha256;
    }

    test::TempDir m_dir;
    test::LocalPipeline m_pipeline{m_dir.path(), 1 << 20};
    std::string m_archive_sha256;
    std::vector<std::vector<std::uint8_t>> m_pieces;
};

TEST_F(UploadReceiverHashing, BytesHeldBackAcrossPiecesAreHashedLikeAllOthers) {
    // The latest a hash queue could run: after every piece was fed (the pieces are all kept).
    test::HeldQueue queue;
    UploadReceiver receiver(m_pipeline.context, "b0undary", {.hash_queue = queue.queue()});
    for (const auto& piece : m_pieces) {
        ASSERT_FALSE(receiver.feed(piece));
    }
    queue.run_on_another_thread();
    EXPECT_EQ(sha256_of(receiver.finish()), m_archive_sha256);
}

TEST_F(UploadReceiverHashing, HashingBesideSealingOnThePoolGivesTheFilesDigest) {
    // As the connection drives it: each piece read into a buffer of a BodyFeeder, which feeds the
    // receiver on one strand of a pool of two and hashes on another. (Under ThreadSanitizer a
    // hash that reads bytes the parser reuses is a reported race.)
    asio::io_context io;
    asio::thread_pool workers(2);
    std::string sha256;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            const BodyBuffers sizing = body_buffers(1);
            BodyFeeder<UploadReceiver> feeder(co_await asio::this_coro::executor, workers, sizing);
            UploadReceiver receiver(m_pipeline.context, "b0undary",
                                    {.hash_queue = feeder.hash_queue(), .write_batch = sizing.write_batch});
            for (const auto& piece : m_pieces) {
                const std::span<std::uint8_t> buffer = co_await feeder.next_buffer();
                EXPECT_GE(buffer.size(), piece.size());
                std::memcpy(buffer.data(), piece.data(), piece.size());
                feeder.submit(receiver, piece.size());
            }
            EXPECT_FALSE(co_await feeder.drain());
            sha256 = sha256_of(receiver.finish());
        },
        asio::detached);
    io.run();
    workers.join();
    EXPECT_EQ(sha256, m_archive_sha256);
}

} // namespace
} // namespace supportdrop::http
