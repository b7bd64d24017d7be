#include "inspector/channel_source.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <set>
#include <sys/mman.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace supportdrop::inspector {
namespace {

// The receiver's side, on a thread: serves every read request from `upload` into the shared
// windows and answers size requests, and records which windows of the upload were asked for and
// how often the size was.
class FakeReceiver {
public:
    FakeReceiver(int fd, SharedWindows windows, const std::vector<std::uint8_t>& upload)
        : m_thread([this, fd, windows = std::move(windows), &upload]() mutable {
              serve(fd, windows, upload);
              ::close(fd);
          }) {}
    ~FakeReceiver() { m_thread.join(); }
    FakeReceiver(const FakeReceiver&) = delete;
    FakeReceiver& operator=(const FakeReceiver&) = delete;

    std::set<std::uint64_t> requested() const {
        const std::scoped_lock lock(m_mutex);
        return m_requested;
    }

    int size_requests() const {
        const std::scoped_lock lock(m_mutex);
        return m_size_requests;
    }

    // Waits up to a second for the requests to include `windows`.
    bool wait_for(const std::set<std::uint64_t>& windows) const {
        for (int i = 0; i < 100; ++i) {
            if (std::ranges::includes(requested(), windows)) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

private:
    void serve(int fd, SharedWindows& windows, const std::vector<std::uint8_t>& upload) {
        Channel channel(fd);
        for (;;) {
            auto message = channel.receive(64);
            if (!message) {
                return; // the inspector's end closed
            }
            if (message->type == MessageType::ask_size) {
                {
                    const std::scoped_lock lock(m_mutex);
                    ++m_size_requests;
                }
                ASSERT_TRUE(channel.send(MessageType::size, encode_size(upload.size())));
                continue;
            }
            const auto request = decode_read(message->payload());
            ASSERT_TRUE(request);
            const std::size_t n = request->offset >= upload.size()
                                      ? 0
                                      : std::min<std::size_t>(request->length, upload.size() - request->offset);
            std::copy_n(upload.begin() + static_cast<std::ptrdiff_t>(request->offset), n,
                        windows.window(request->window).begin());
            {
                const std::scoped_lock lock(m_mutex);
                m_requested.insert(request->offset / k_window_size);
            }
            ASSERT_TRUE(channel.send(MessageType::data, encode_data(static_cast<std::uint32_t>(n))));
        }
    }

    mutable std::mutex m_mutex;
    std::set<std::uint64_t> m_requested;
    int m_size_requests = 0;
    std::thread m_thread;
};

class ChannelSourceTest : public testing::Test {
protected:
    void SetUp() override { start(m_upload.size()); }

    // The inspector's side, told `size` (k_size_arriving: an upload still arriving).
    void start(std::uint64_t size) {
        for (std::size_t i = 0; i < m_upload.size(); ++i) {
            m_upload[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
        }
        std::array<int, 2> fds{};
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()), 0);
        m_inspector_fd = fds[0];
        util::UniqueFd file = SharedWindows::create_file();
        ASSERT_TRUE(file);
        auto writer = SharedWindows::map(file.get(), SharedWindows::Access::write);
        auto reader = SharedWindows::map(file.get(), SharedWindows::Access::read);
        file.reset();
        ASSERT_TRUE(writer && reader);
        m_receiver = std::make_unique<FakeReceiver>(fds[1], std::move(*writer), m_upload);
        m_channel = std::make_unique<Channel>(m_inspector_fd);
        m_source = std::make_unique<ChannelSource>(*m_channel, std::move(*reader), size);
    }

    void TearDown() override {
        if (m_source) {
            EXPECT_TRUE(m_source->settle());
        }
        ::close(m_inspector_fd); // ends the receiver's loop
        m_receiver.reset();
    }

    std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) {
        std::vector<std::uint8_t> out(length);
        auto n = m_source->read_at(offset, out);
        EXPECT_TRUE(n);
        out.resize(n ? *n : 0);
        return out;
    }

    // Reads from `offset` up to `end` in pieces of 10,000 bytes, as a decompressor reads.
    std::vector<std::uint8_t> read_in_pieces(std::uint64_t offset, std::uint64_t end) {
        std::vector<std::uint8_t> all;
        for (; offset < end; offset += 10'000) {
            const auto part = read(offset, 10'000);
            all.insert(all.end(), part.begin(), part.end());
        }
        return all;
    }

    // Windows 0 to `last`.
    static std::set<std::uint64_t> windows_through(std::uint64_t last) {
        std::set<std::uint64_t> windows;
        for (std::uint64_t window = 0; window <= last; ++window) {
            windows.insert(window);
        }
        return windows;
    }

    std::vector<std::uint8_t> expected(std::uint64_t offset, std::size_t length) const {
        const auto begin = m_upload.begin() + static_cast<std::ptrdiff_t>(offset);
        return {begin, begin + static_cast<std::ptrdiff_t>(std::min(length, m_upload.size() - offset))};
    }

    // Twelve and a half windows.
    std::vector<std::uint8_t> m_upload = std::vector<std::uint8_t>(12 * k_window_size + k_window_size / 2);
    int m_inspector_fd = -1;
    std::unique_ptr<FakeReceiver> m_receiver;
    std::unique_ptr<Channel> m_channel;
    std::unique_ptr<ChannelSource> m_source;
};

TEST_F(ChannelSourceTest, SeeksAskForJustTheWindowTheyLandIn) {
    // A ZIP's reading: the signature at the start, the directory at the end, then the entries.
    const std::uint64_t end = m_upload.size();
    EXPECT_EQ(read(0, 30), expected(0, 30));
    EXPECT_EQ(read(end - 200, 200), expected(end - 200, 200));
    EXPECT_EQ(read(100, 5000), expected(100, 5000));
    EXPECT_EQ(read(end - 10, 100), expected(end - 10, 10)); // short at the end
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(m_receiver->requested(), (std::set<std::uint64_t>{0, 12}));
}

TEST_F(ChannelSourceTest, ReadingOnAsksForTheNextWindowsAhead) {
    // Reading across from window 0 into window 1 is reading on: the windows after it, as far as
    // the read-ahead goes, are asked for before anything reads them.
    EXPECT_EQ(read(k_window_size - 100, 200), expected(k_window_size - 100, 200));
    EXPECT_TRUE(m_receiver->wait_for(windows_through(1 + ChannelSource::k_read_ahead)));
    // The rest in small reads: every byte arrives.
    std::vector<std::uint8_t> all = read(0, k_window_size + 100);
    const auto rest = read_in_pieces(all.size(), m_upload.size());
    all.insert(all.end(), rest.begin(), rest.end());
    EXPECT_EQ(all, m_upload);
    EXPECT_EQ(m_receiver->requested().size(), 13u);
}

class ArrivingChannelSourceTest : public ChannelSourceTest {
protected:
    void SetUp() override { start(k_size_arriving); }
};

TEST_F(ArrivingChannelSourceTest, ReadingOnAsksAsFarAheadAsTheWindowsGoAndTheShortWindowEndsIt) {
    // While the upload arrives, the receiver hands over its network buffers whole: reading on
    // asks for every window there is a slot for, past the end it does not know yet.
    EXPECT_EQ(read(k_window_size - 100, 200), expected(k_window_size - 100, 200));
    EXPECT_TRUE(m_receiver->wait_for(windows_through(1 + ChannelSource::k_read_ahead_arriving)));
    // On past the end it does not know: the reads there come back short, then empty.
    std::vector<std::uint8_t> all = read(0, k_window_size + 100);
    const auto rest = read_in_pieces(all.size(), m_upload.size() + 20'000);
    all.insert(all.end(), rest.begin(), rest.end());
    EXPECT_EQ(all, m_upload);
    // The window that came back short was the last: the size is known without asking.
    EXPECT_EQ(m_source->size().value(), m_upload.size());
    EXPECT_EQ(m_receiver->size_requests(), 0);
}

TEST_F(ArrivingChannelSourceTest, TheSizeIsAskedForWhenTheEndWasNotRead) {
    EXPECT_EQ(read(0, 100), expected(0, 100));
    EXPECT_EQ(m_source->size().value(), m_upload.size());
    EXPECT_EQ(m_source->size().value(), m_upload.size());
    EXPECT_EQ(m_receiver->size_requests(), 1); // the answer is kept
    EXPECT_EQ(read(m_upload.size() - 10, 100), expected(m_upload.size() - 10, 100));
}

} // namespace
} // namespace supportdrop::inspector
