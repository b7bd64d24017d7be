#pragma once
// The receiver's side of a live inspection (channel.hpp) while the upload arrives: it copies the
// bytes into the windows the inspector asked for, as they come, and answers each window once it
// is full. It follows the upload only as long as the inspector keeps ahead: once it has not asked
// for the next bytes in time, asks for bytes gone by or for the size, reports, fails or breaks the
// protocol, the feed stops, and whoever owns the conversation answers the requests still open
// once the upload is complete (SandboxedInspector).

#include "inspector/channel.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>

namespace supportdrop::inspector {

// Not thread-safe. The socket and the windows must outlive it.
class LiveFeed {
public:
    // How long offer() waits for the inspector to ask for the next bytes: it asks for a window
    // ahead each time it starts on one, so an inspector that keeps up has asked long before.
    static constexpr std::chrono::milliseconds k_patience{2};
    // How long it waits for the first request instead: the inspector asks once it has started,
    // which took a fresh worker process 1.6-3.0 ms on a VM whose page faults are slow (ten
    // 50 MiB tar.gz), and with k_patience there the feed stopped at the first byte 4 times in 5.
    static constexpr std::chrono::milliseconds k_start_patience{20};

    // Feeds the inspector behind `socket` (the receiver's end of its channel), whose windows are
    // `windows`; its report may be as long as `max_report_size`.
    LiveFeed(int socket, const SharedWindows& windows, std::size_t max_report_size);

    // The upload's next bytes, in order from the first. Returns once they are handed over, or
    // when the feed stops (waiting at most k_patience for the inspector to ask, k_start_patience
    // for its first request).
    void offer(std::span<const std::uint8_t> bytes);

    bool following() const { return m_following; }
    // What the channel reported when it failed (Errc::channel_closed: the inspector went away),
    // or Errc::protocol_error for a request that is malformed or one too many; empty otherwise.
    const util::ErrorCode& failure() const { return m_failure; }
    // The report, if it came while the feed followed.
    const std::optional<Message>& report() const { return m_report; }
    // The requests asked for and not yet answered, in order (bytes copied into the first one's
    // window so far do not count: it is to be answered whole).
    const std::deque<WorkerRequest>& open_requests() const { return m_requests; }

private:
    // How long a message from the inspector may take to arrive whole once it has begun, and how
    // long one to it may take to be sent.
    static constexpr std::chrono::milliseconds k_message_time{1000};

    void take_requests(std::chrono::milliseconds patience);
    void fail(util::ErrorCode error);

    int m_socket;
    const SharedWindows* m_windows;
    std::size_t m_max_report_size;
    std::deque<WorkerRequest> m_requests;
    std::uint32_t m_filled = 0;   // bytes copied into the first request's window
    std::uint64_t m_position = 0; // of the next byte offered
    bool m_asked = false;         // whether a request has come
    bool m_following = true;
    util::ErrorCode m_failure;
    std::optional<Message> m_report;
};

} // namespace supportdrop::inspector
