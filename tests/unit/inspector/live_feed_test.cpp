#include "inspector/errors.hpp"
#include "inspector/live_feed.hpp"
#include "support/temp_dir.hpp"
#include "util/text.hpp"

#include <gtest/gtest.h>

#include <array>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace supportdrop::inspector {
namespace {

// The feed on one end of a socket pair, the inspector's part played by the test on the other,
// with the windows mapped on both sides.
class LiveFeedTest : public testing::Test {
protected:
    void SetUp() override {
        std::array<int, 2> fds{};
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()), 0);
        m_receiver_fd = fds[0];
        m_inspector_fd = fds[1];
        util::UniqueFd file = SharedWindows::create_file();
        ASSERT_TRUE(file);
        auto writer = SharedWindows::map(file.get(), SharedWindows::Access::write);
        auto reader = SharedWindows::map(file.get(), SharedWindows::Access::read);
        ASSERT_TRUE(writer && reader);
        m_writer.emplace(std::move(*writer));
        m_reader.emplace(std::move(*reader));
        m_feed.emplace(m_receiver_fd, *m_writer, 1024);
    }

    void TearDown() override {
        m_feed.reset();
        ::close(m_receiver_fd);
        if (m_inspector_fd >= 0) {
            ::close(m_inspector_fd);
        }
    }

    Channel inspector() const {
        return Channel(m_inspector_fd, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    }

    void ask(std::uint64_t offset, std::uint32_t length, std::uint32_t window) const {
        ASSERT_TRUE(inspector().send(MessageType::read, encode_read({offset, length, window})));
    }

    void offer(std::size_t from, std::size_t to) { m_feed->offer(std::span(m_upload).subspan(from, to - from)); }

    // The next reply the inspector gets: how many bytes are in the window.
    std::optional<std::uint32_t> reply() const {
        auto message = inspector().receive(16);
        if (!message || message->type != MessageType::data) {
            return std::nullopt;
        }
        return decode_data(message->payload());
    }

    std::vector<std::uint8_t> window(std::uint32_t index, std::size_t length) const {
        const auto bytes = m_reader->window(index);
        return {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length)};
    }

    std::vector<std::uint8_t> upload(std::size_t from, std::size_t length) const {
        const auto begin = m_upload.begin() + static_cast<std::ptrdiff_t>(from);
        return {begin, begin + static_cast<std::ptrdiff_t>(length)};
    }

    int m_receiver_fd = -1;
    int m_inspector_fd = -1;
    std::optional<SharedWindows> m_writer;
    std::optional<SharedWindows> m_reader;
    std::optional<LiveFeed> m_feed;
    std::vector<std::uint8_t> m_upload = test::pattern_bytes(4 * k_window_size);
};

TEST_F(LiveFeedTest, CopiesTheBytesAskedForAndAnswersEachWindowOnceFull) {
    ask(0, k_window_size, 3);
    ask(k_window_size, k_window_size, 7);
    offer(0, k_window_size / 2);
    offer(k_window_size / 2, k_window_size + 100); // completes the first window, begins the second
    EXPECT_EQ(reply(), k_window_size);
    EXPECT_EQ(window(3, k_window_size), upload(0, k_window_size));
    offer(k_window_size + 100, 2 * k_window_size);
    EXPECT_EQ(reply(), k_window_size);
    EXPECT_EQ(window(7, k_window_size), upload(k_window_size, k_window_size));
    EXPECT_TRUE(m_feed->following());
    EXPECT_TRUE(m_feed->open_requests().empty());
    EXPECT_FALSE(m_feed->failure());
}

TEST_F(LiveFeedTest, BytesNobodyAskedForAreSkipped) {
    ask(1000, 500, 0); // the inspector skipped the first 1000 bytes
    offer(0, 2000);
    EXPECT_EQ(reply(), 500u);
    EXPECT_EQ(window(0, 500), upload(1000, 500));
}

TEST_F(LiveFeedTest, AnInspectorGetsLongerToAskFirstThanToAskAgain) {
    // The first request comes well after k_patience, while the inspector starts.
    std::thread starting([this] {
        std::this_thread::sleep_for(3 * LiveFeed::k_patience);
        ask(0, 100, 0);
    });
    offer(0, 100);
    starting.join();
    EXPECT_TRUE(m_feed->following());
    EXPECT_EQ(reply(), 100u);
    EXPECT_EQ(window(0, 100), upload(0, 100));
    // Once it has asked, it must keep ahead.
    offer(100, 200);
    EXPECT_FALSE(m_feed->following());
    EXPECT_FALSE(m_feed->failure());
}

TEST_F(LiveFeedTest, AnInspectorThatDoesNotAskInTimeIsNoLongerFollowed) {
    const auto started = std::chrono::steady_clock::now();
    offer(0, 10);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
    EXPECT_GE(std::chrono::steady_clock::now() - started, LiveFeed::k_start_patience);
    EXPECT_FALSE(m_feed->following());
    EXPECT_FALSE(m_feed->failure());
    // What it asks for afterwards stays unread, for whoever answers once the upload is complete.
    ask(0, 100, 0);
    offer(10, 200);
    EXPECT_TRUE(m_feed->open_requests().empty());
}

TEST_F(LiveFeedTest, BytesGoneByAndTheSizeAreLeftOpen) {
    ask(0, 100, 0);
    ask(50, 100, 1); // before what has been handed over
    ASSERT_TRUE(inspector().send(MessageType::ask_size, {}));
    offer(0, 300);
    EXPECT_EQ(reply(), 100u);
    EXPECT_FALSE(m_feed->following());
    ASSERT_EQ(m_feed->open_requests().size(), 2u);
    EXPECT_EQ(m_feed->open_requests().front().read.offset, 50u);
    EXPECT_EQ(m_feed->open_requests().back().type, MessageType::ask_size);
    EXPECT_FALSE(m_feed->failure());
}

TEST_F(LiveFeedTest, AnEarlyReportEndsTheFeedAndIsKept) {
    ASSERT_TRUE(inspector().send(MessageType::report, util::bytes_of("{}")));
    offer(0, 100);
    EXPECT_FALSE(m_feed->following());
    ASSERT_TRUE(m_feed->report());
    EXPECT_EQ(m_feed->report()->size, 2u);
}

TEST_F(LiveFeedTest, AMalformedRequestIsAProtocolError) {
    ASSERT_TRUE(inspector().send(MessageType::read, encode_read({0, 100, k_windows}))); // no such window
    offer(0, 100);
    EXPECT_FALSE(m_feed->following());
    EXPECT_EQ(m_feed->failure(), Errc::protocol_error);
}

TEST_F(LiveFeedTest, MoreRequestsOpenThanWindowsAreAProtocolError) {
    for (std::uint32_t i = 0; i <= k_windows; ++i) {
        ask(std::uint64_t{1} << 30, 100, 0); // far ahead: none is answered
    }
    offer(0, 100);
    EXPECT_EQ(m_feed->failure(), Errc::protocol_error);
}

TEST_F(LiveFeedTest, AMessageOnlyTheReceiverSendsIsAProtocolError) {
    ASSERT_TRUE(inspector().send(MessageType::data, encode_data(5)));
    offer(0, 100);
    EXPECT_EQ(m_feed->failure(), Errc::protocol_error);
}

TEST_F(LiveFeedTest, AnInspectorThatWentAwayIsNoticed) {
    ::close(m_inspector_fd);
    m_inspector_fd = -1;
    offer(0, 100);
    EXPECT_FALSE(m_feed->following());
    EXPECT_EQ(m_feed->failure(), Errc::channel_closed);
}

} // namespace
} // namespace supportdrop::inspector
