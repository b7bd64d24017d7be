#include "inspector/errors.hpp"
#include "inspector/fork_server.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace supportdrop::inspector {
namespace {

using test::open_descriptors;

// The receiver's side of the control socket, against a fork server played by the test, which
// misbehaves in every way a dying or broken one could.
class RequestWorker : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, m_ends.data()), 0);
        m_descriptors = open_descriptors();
    }
    void TearDown() override {
        ::close(m_ends[0]);
        if (m_ends[1] >= 0) {
            ::close(m_ends[1]);
        }
    }

    // Answers with `status` and `count` descriptors (duplicates of standard input).
    void answer(char status, std::size_t count) {
        std::vector<int> descriptors(count, STDIN_FILENO);
        iovec payload{&status, 1};
        msghdr message{};
        message.msg_iov = &payload;
        message.msg_iovlen = 1;
        alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * 8)> control{};
        if (count > 0) {
            message.msg_control = control.data();
            message.msg_controllen = CMSG_SPACE(sizeof(int) * count);
            cmsghdr* header = CMSG_FIRSTHDR(&message);
            header->cmsg_level = SOL_SOCKET;
            header->cmsg_type = SCM_RIGHTS;
            header->cmsg_len = CMSG_LEN(sizeof(int) * count);
            std::memcpy(CMSG_DATA(header), descriptors.data(), sizeof(int) * count);
        }
        ASSERT_EQ(::sendmsg(m_ends[1], &message, 0), 1);
    }

    util::Result<ForkedWorker> request(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
        return request_worker(m_ends[0], std::chrono::steady_clock::now() + wait);
    }

    std::array<int, 2> m_ends{-1, -1};
    std::size_t m_descriptors = 0;
};

TEST_F(RequestWorker, TakesTheThreeDescriptorsOfAWorker) {
    answer('w', 3);
    auto worker = request();
    ASSERT_TRUE(worker) << worker.error().message();
    EXPECT_TRUE(worker->socket && worker->shared_windows && worker->process);
    worker = util::ErrorCode(Errc::spawn_failed);
    EXPECT_EQ(open_descriptors(), m_descriptors);
}

TEST_F(RequestWorker, ReportsAForkServerThatCouldNotFork) {
    answer('e', 0);
    EXPECT_EQ(request().error(), Errc::spawn_failed);
}

TEST_F(RequestWorker, RefusesAnswersOutsideTheProtocolAndKeepsNoDescriptor) {
    answer('w', 1); // a worker without its windows and pidfd
    EXPECT_EQ(request().error(), Errc::protocol_error);
    answer('e', 2); // a failure that hands over descriptors anyway
    EXPECT_EQ(request().error(), Errc::protocol_error);
    answer('?', 3);
    EXPECT_EQ(request().error(), Errc::protocol_error);
    EXPECT_EQ(open_descriptors(), m_descriptors);
}

TEST_F(RequestWorker, NoticesAForkServerThatIsGoneOrSilent) {
    EXPECT_EQ(request(std::chrono::milliseconds(50)).error(), Errc::timed_out);
    ::close(m_ends[1]);
    m_ends[1] = -1;
    const auto gone = request().error();
    EXPECT_TRUE(gone == Errc::channel_closed || gone == boost::system::errc::broken_pipe ||
                gone == boost::system::errc::connection_reset)
        << gone.message();
}

} // namespace
} // namespace supportdrop::inspector
