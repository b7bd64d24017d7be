// Fuzzes the receiver's side of the inspector's channel as a compromised inspector process would
// attack it: the input is what the inspector sends (framed messages: reads of any offset, length
// and window, size requests, reports, garbage), while the receiver feeds it an arriving upload
// (LiveFeed: framing, request decoding, the copying into the windows asked for). Beyond "no
// crash": ASan sees every byte the feed writes, and it may write only into the windows.

#include "inspector/live_feed.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace supportdrop::inspector;

// The windows as the receiver maps them, made once: a fresh memory file per input would only
// measure the kernel.
const SharedWindows& windows() {
    static const SharedWindows mapped = [] {
        const supportdrop::util::UniqueFd file = SharedWindows::create_file();
        auto windows = SharedWindows::map(file.get(), SharedWindows::Access::write);
        if (!windows) {
            std::abort();
        }
        return std::move(*windows);
    }();
    return mapped;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::vector<std::uint8_t> upload(3 * k_window_size + 1234, 0x5a);
    std::array<int, 2> fds{};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()) != 0) {
        std::abort();
    }
    // The inspector says all it says (as much as the socket holds), then goes away: the feed
    // never waits for more.
    for (std::size_t sent = 0; sent < size;) {
        const ssize_t n = ::send(fds[1], data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) {
            break;
        }
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fds[1], SHUT_WR);
    LiveFeed feed(fds[0], windows(), 4096);
    constexpr std::size_t k_piece = 64 * 1024;
    for (std::size_t at = 0; at < upload.size() && feed.following(); at += k_piece) {
        feed.offer(std::span(upload).subspan(at, std::min(k_piece, upload.size() - at)));
    }
    if (feed.open_requests().size() > k_windows) {
        std::abort(); // more than the protocol allows were kept
    }
    ::close(fds[0]);
    ::close(fds[1]);
    return 0;
}
