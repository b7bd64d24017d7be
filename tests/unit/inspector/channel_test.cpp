#include "inspector/channel.hpp"
#include "inspector/errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace supportdrop::inspector {
namespace {

class ChannelTest : public testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, m_fds.data()), 0); }
    void TearDown() override {
        for (const int fd : m_fds) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    std::array<int, 2> m_fds{-1, -1};
};

TEST_F(ChannelTest, CarriesMessages) {
    Channel inspector(m_fds[0]);
    Channel receiver(m_fds[1], std::chrono::steady_clock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(inspector.send(MessageType::read, encode_read({123456789012, 4096, k_windows - 1})));
    auto message = receiver.receive(64);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->type, MessageType::read);
    const auto request = decode_read(message->payload());
    ASSERT_TRUE(request);
    EXPECT_EQ(request->offset, 123456789012u);
    EXPECT_EQ(request->length, 4096u);
    EXPECT_EQ(request->window, k_windows - 1);
}

TEST_F(ChannelTest, RefusesOversizedAndUnknownMessages) {
    Channel inspector(m_fds[0]);
    Channel receiver(m_fds[1], std::chrono::steady_clock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(inspector.send(MessageType::report, std::vector<std::uint8_t>(100)));
    EXPECT_EQ(receiver.receive(99).error(), Errc::protocol_error);
    const std::array<std::uint8_t, 5> unknown = {9, 0, 0, 0, 0};
    ASSERT_EQ(::write(m_fds[0], unknown.data(), unknown.size()), 5);
    EXPECT_EQ(receiver.receive(99).error(), Errc::protocol_error);
}

TEST_F(ChannelTest, AQuietPeerTimesOutAndAClosedOneIsNoticed) {
    Channel receiver(m_fds[1], std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
    EXPECT_EQ(receiver.receive(64).error(), Errc::timed_out);
    ::close(m_fds[0]);
    m_fds[0] = -1;
    Channel again(m_fds[1], std::chrono::steady_clock::now() + std::chrono::seconds(5));
    EXPECT_EQ(again.receive(64).error(), Errc::channel_closed);
}

TEST_F(ChannelTest, PastTheDeadlineNothingMoreIsSentOrReceivedEvenWhenTheSocketIsReady) {
    // A worker whose requests keep coming does not keep the receiver serving it.
    Channel inspector(m_fds[0]);
    ASSERT_TRUE(inspector.send(MessageType::ask_size, {}));
    Channel late(m_fds[1], std::chrono::steady_clock::now() - std::chrono::milliseconds(1));
    EXPECT_EQ(late.receive(64).error(), Errc::timed_out);
    EXPECT_EQ(late.send(MessageType::size, encode_size(1)).error(), Errc::timed_out);
    // The message is still there for a channel in time, and nothing was sent.
    Channel in_time(m_fds[1], std::chrono::steady_clock::now() + std::chrono::seconds(5));
    EXPECT_EQ(in_time.receive(64).value().type, MessageType::ask_size);
    Channel quiet(m_fds[0], std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
    EXPECT_EQ(quiet.receive(64).error(), Errc::timed_out);
}

TEST(ChannelEncoding, JobsAndReadsRoundTripAndRejectGarbage) {
    Job job;
    job.upload_size = 52'428'800;
    job.limits.max_entries = 7;
    job.memory_limit_bytes = 1 << 28;
    job.cpu_limit_seconds = 10;
    const auto decoded = decode_job(encode_job(job));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->upload_size, job.upload_size);
    EXPECT_EQ(decoded->limits.max_entries, 7u);
    EXPECT_EQ(decoded->cpu_limit_seconds, 10u);
    auto longer = encode_job(job);
    longer.push_back(0);
    EXPECT_FALSE(decode_job(longer));
    EXPECT_FALSE(decode_job(std::vector<std::uint8_t>(10)));
    EXPECT_FALSE(decode_read(encode_read({0, k_window_size + 1, 0})));
    EXPECT_FALSE(decode_read(encode_read({0, 1, k_windows})));
    EXPECT_EQ(decode_data(encode_data(k_window_size)), k_window_size);
    EXPECT_FALSE(decode_data(encode_data(k_window_size + 1)));
    EXPECT_FALSE(decode_data(std::vector<std::uint8_t>(5)));
}

TEST(ChannelEncoding, SizesRoundTripAndRejectGarbage) {
    EXPECT_EQ(decode_size(encode_size(0)), 0u);
    EXPECT_EQ(decode_size(encode_size(52'428'800)), 52'428'800u);
    EXPECT_FALSE(decode_size(encode_size(k_size_arriving))); // not a size: the lack of one
    EXPECT_FALSE(decode_size(std::vector<std::uint8_t>(7)));
    EXPECT_FALSE(decode_size(std::vector<std::uint8_t>(9)));
    Job job;
    job.upload_size = k_size_arriving;
    EXPECT_EQ(decode_job(encode_job(job))->upload_size, k_size_arriving);
}

Message message_of(MessageType type, const std::vector<std::uint8_t>& payload) {
    Message message{type, std::make_unique<std::uint8_t[]>(payload.size()), payload.size()};
    std::copy(payload.begin(), payload.end(), message.bytes.get());
    return message;
}

TEST(ChannelEncoding, AWorkersMessagesAreReadsSizeRequestsOrItsReport) {
    const auto read = decode_request(message_of(MessageType::read, encode_read({4096, 100, 2})));
    ASSERT_TRUE(read && *read);
    EXPECT_EQ((*read)->type, MessageType::read);
    EXPECT_EQ((*read)->read.offset, 4096u);
    EXPECT_EQ((*read)->read.window, 2u);
    const auto size = decode_request(message_of(MessageType::ask_size, {}));
    ASSERT_TRUE(size && *size);
    EXPECT_EQ((*size)->type, MessageType::ask_size);
    const auto report = decode_request(message_of(MessageType::report, {'{', '}'}));
    ASSERT_TRUE(report);
    EXPECT_FALSE(*report);
    EXPECT_EQ(decode_request(message_of(MessageType::ask_size, {0})).error(), Errc::protocol_error);
    EXPECT_EQ(decode_request(message_of(MessageType::read, {1, 2, 3})).error(), Errc::protocol_error);
    EXPECT_EQ(decode_request(message_of(MessageType::data, encode_data(1))).error(), Errc::protocol_error);
    EXPECT_EQ(decode_request(message_of(MessageType::job, {})).error(), Errc::protocol_error);
}

TEST(SharedWindowsTest, WhatOneSideWritesTheOtherReads) {
    util::UniqueFd file = SharedWindows::create_file();
    ASSERT_TRUE(file);
    auto writer = SharedWindows::map(file.get(), SharedWindows::Access::write);
    auto reader = SharedWindows::map(file.get(), SharedWindows::Access::read);
    file.reset();
    ASSERT_TRUE(writer);
    ASSERT_TRUE(reader);
    writer->window(k_windows - 1).back() = 42;
    EXPECT_EQ(reader->window(k_windows - 1).back(), 42);
    EXPECT_EQ(reader->window(0).size(), k_window_size);
    EXPECT_FALSE(SharedWindows::map(-1, SharedWindows::Access::read));
}

// How many of the windows' pages are in memory, by `windows`' mapping.
std::size_t resident_pages(const SharedWindows& windows) {
    std::vector<unsigned char> residency(k_shared_windows_size / 4096);
    EXPECT_EQ(::mincore(windows.window(0).data(), k_shared_windows_size, residency.data()), 0);
    return static_cast<std::size_t>(
        std::count_if(residency.begin(), residency.end(), [](unsigned char page) { return (page & 1) != 0; }));
}

TEST(SharedWindowsTest, PopulatedTheyAreAllInMemoryAtOnceAndEmpty) {
    util::UniqueFd file = SharedWindows::create_file();
    ASSERT_TRUE(file);
    auto writer = SharedWindows::map(file.get(), SharedWindows::Access::write);
    auto reader = SharedWindows::map(file.get(), SharedWindows::Access::read);
    ASSERT_TRUE(writer && reader);
    EXPECT_EQ(resident_pages(*reader), 0u); // a page takes memory only once it is used
    writer->populate();
    reader->populate();
    EXPECT_EQ(resident_pages(*reader), k_shared_windows_size / 4096);
    const auto last = reader->window(k_windows - 1);
    EXPECT_TRUE(std::all_of(last.begin(), last.end(), [](std::uint8_t byte) { return byte == 0; }));
}

} // namespace
} // namespace supportdrop::inspector
