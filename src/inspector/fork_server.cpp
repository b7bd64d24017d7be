#include "inspector/fork_server.hpp"

#include "inspector/errors.hpp"
#include "inspector/worker.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <poll.h>
#include <span>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

// glibc 2.36's header lacks the C linkage block.
extern "C" {
#include <sys/pidfd.h>
}

namespace supportdrop::inspector {
namespace {

constexpr char k_request = 'r';
constexpr char k_worker = 'w';
constexpr char k_failed = 'e';
constexpr std::size_t k_descriptors_per_worker = 3;

// Exit statuses of the fork server and of a worker that never got to its job.
constexpr int k_exit_not_started_by_receiver = 2;
constexpr int k_exit_not_prepared = 3;

bool send_reply(int control, char status, std::span<const int> descriptors) {
    iovec payload{&status, 1};
    msghdr message{};
    message.msg_iov = &payload;
    message.msg_iovlen = 1;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * k_descriptors_per_worker)> control_bytes{};
    if (!descriptors.empty()) {
        message.msg_control = control_bytes.data();
        message.msg_controllen = CMSG_SPACE(descriptors.size_bytes());
        cmsghdr* header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(descriptors.size_bytes());
        std::memcpy(CMSG_DATA(header), descriptors.data(), descriptors.size_bytes());
    }
    ssize_t sent = -1;
    do {
        sent = ::sendmsg(control, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent == 1;
}

// Reaps every worker that has ended, as it ends (a SIGCHLD handler): no zombies while idle.
void reap_ended_workers(int /*signal*/) {
    const int saved_errno = errno;
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    errno = saved_errno;
}

bool reap_workers_as_they_end() {
    struct sigaction action {};
    action.sa_handler = reap_ended_workers;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&action.sa_mask);
    return ::sigaction(SIGCHLD, &action, nullptr) == 0;
}

// In the forked child: the worker's socket becomes descriptor 3 in place of the control socket,
// so that it holds nothing of the fork server's but what both loaded before the first fork.
[[noreturn]] void become_worker(int socket, int shared_windows, const sigset_t& signal_mask,
                                const SandboxFilter& filter) {
    // Dies with the fork server, which dies with the receiver (PDEATHSIG is per parent).
    if (std::signal(SIGCHLD, SIG_DFL) == SIG_ERR || ::sigprocmask(SIG_SETMASK, &signal_mask, nullptr) != 0 ||
        ::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::prctl(PR_SET_NAME, k_worker_process_name) != 0 ||
        ::dup2(socket, k_fork_server_control_fd) < 0) {
        ::_exit(k_exit_not_prepared);
    }
    ::close(socket);
    ::_exit(run_inspector_worker(k_fork_server_control_fd, shared_windows, filter));
}

// Forks one worker and hands the receiver its socket, shared windows and pidfd. False when the
// control socket is gone.
bool fork_worker(int control, const SandboxFilter& filter) {
    std::array<int, 2> ends{};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends.data()) != 0) {
        return send_reply(control, k_failed, {});
    }
    util::UniqueFd receiver_end(ends[0]);
    util::UniqueFd worker_end(ends[1]);
    const util::UniqueFd shared_windows = SharedWindows::create_file();
    if (!shared_windows) {
        return send_reply(control, k_failed, {});
    }
    // SIGCHLD waits until the pidfd is open: a worker reaped before that could have its pid
    // taken by another process.
    sigset_t child_ended;
    sigset_t previous;
    sigemptyset(&child_ended);
    sigaddset(&child_ended, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &child_ended, &previous);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(receiver_end.get()); // else the worker would not see the receiver hang up
        become_worker(worker_end.get(), shared_windows.get(), previous, filter);
    }
    worker_end.reset();
    const util::UniqueFd process(pid > 0 ? ::pidfd_open(pid, 0) : -1);
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (pid < 0) {
        return send_reply(control, k_failed, {});
    }
    if (!process) {
        ::kill(pid, SIGKILL);
        return send_reply(control, k_failed, {});
    }
    const std::array descriptors{receiver_end.get(), shared_windows.get(), process.get()};
    return send_reply(control, k_worker, descriptors);
}

} // namespace

int run_fork_server() {
    struct stat st {};
    if (::fstat(k_fork_server_control_fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        (void)std::fputs("supportdrop: inspect-forkserver is the archive inspector's process; `supportdrop serve` "
                         "starts it\n",
                         stderr);
        return k_exit_not_started_by_receiver;
    }
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::prctl(PR_SET_NAME, k_fork_server_process_name) != 0 ||
        !reap_workers_as_they_end()) {
        return k_exit_not_prepared;
    }
    const std::optional<SandboxFilter> filter = prepare_for_sandbox();
    if (!filter) {
        return k_exit_not_prepared;
    }
    for (;;) {
        char request = 0;
        const ssize_t n = ::read(k_fork_server_control_fd, &request, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n != 1 || request != k_request || !fork_worker(k_fork_server_control_fd, *filter)) {
            break;
        }
    }
    // The receiver let go of this fork server: the workers it already has finish their uploads.
    ::close(k_fork_server_control_fd);
    while (::wait(nullptr) > 0 || errno == EINTR) {
    }
    return 0;
}

util::Result<ForkedWorker> request_worker(int control, Deadline deadline) {
    if (auto ready = wait_until_ready(control, POLLOUT, deadline); !ready) {
        return ready.error();
    }
    const char request = k_request;
    if (::send(control, &request, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
        return Errc::channel_closed;
    }
    if (auto ready = wait_until_ready(control, POLLIN, deadline); !ready) {
        return ready.error();
    }
    char status = 0;
    iovec payload{&status, 1};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * k_descriptors_per_worker)> control_bytes{};
    msghdr message{};
    message.msg_iov = &payload;
    message.msg_iovlen = 1;
    message.msg_control = control_bytes.data();
    message.msg_controllen = control_bytes.size();
    ssize_t n = -1;
    do {
        n = ::recvmsg(control, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        return n == 0 ? util::ErrorCode(Errc::channel_closed) : util::last_system_error();
    }
    // Every descriptor that came is owned here at once, so that whatever is wrong, none leaks.
    std::vector<util::UniqueFd> received;
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
                received.emplace_back(fd);
            }
        }
    }
    if ((message.msg_flags & MSG_CTRUNC) == 0 && status == k_failed && received.empty()) {
        return Errc::spawn_failed;
    }
    if ((message.msg_flags & MSG_CTRUNC) != 0 || status != k_worker || received.size() != k_descriptors_per_worker) {
        return Errc::protocol_error;
    }
    return ForkedWorker{std::move(received[0]), std::move(received[1]), std::move(received[2])};
}

} // namespace supportdrop::inspector
