#include "inspector/live_feed.hpp"

#include "inspector/errors.hpp"

#include <algorithm>
#include <cstring>
#include <poll.h>

namespace supportdrop::inspector {

LiveFeed::LiveFeed(int socket, const SharedWindows& windows, std::size_t max_report_size)
    : m_socket(socket), m_windows(&windows), m_max_report_size(max_report_size) {}

void LiveFeed::offer(std::span<const std::uint8_t> bytes) {
    while (m_following && !bytes.empty()) {
        if (m_requests.empty()) {
            take_requests(m_asked ? k_patience : k_start_patience);
            if (m_requests.empty()) {
                m_following = false;
                break;
            }
        }
        const WorkerRequest& next = m_requests.front();
        const std::uint64_t wanted = next.read.offset + m_filled;
        if (next.type != MessageType::read || wanted < m_position) {
            m_following = false;
            break;
        }
        if (wanted > m_position) { // bytes it skips
            const auto skipped = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), wanted - m_position));
            bytes = bytes.subspan(skipped);
            m_position += skipped;
            continue;
        }
        const std::size_t n = std::min<std::size_t>(bytes.size(), next.read.length - m_filled);
        std::memcpy(m_windows->window(next.read.window).data() + m_filled, bytes.data(), n);
        m_filled += static_cast<std::uint32_t>(n);
        m_position += n;
        bytes = bytes.subspan(n);
        if (m_filled == next.read.length) {
            Channel channel(m_socket, std::chrono::steady_clock::now() + k_message_time);
            if (auto sent = channel.send(MessageType::data, encode_data(m_filled)); !sent) {
                fail(sent.error());
                break;
            }
            m_requests.pop_front();
            m_filled = 0;
            take_requests(std::chrono::milliseconds(0));
        }
    }
}

// Takes what the inspector has said: waits up to `patience` for it to begin, and takes whatever
// else it has said already.
void LiveFeed::take_requests(std::chrono::milliseconds patience) {
    for (;;) {
        pollfd ready{m_socket, POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(patience.count())) != 1) {
            return;
        }
        patience = std::chrono::milliseconds(0);
        Channel channel(m_socket, std::chrono::steady_clock::now() + k_message_time);
        auto message = channel.receive(m_max_report_size);
        if (!message) {
            fail(message.error());
            return;
        }
        auto request = decode_request(*message);
        // An inspector never has more requests open than it has windows.
        if (!request || (*request && m_requests.size() >= k_windows)) {
            fail(Errc::protocol_error);
            return;
        }
        if (!*request) {
            m_report = std::move(*message);
            m_following = false;
            return;
        }
        m_requests.push_back(**request);
        m_asked = true;
    }
}

void LiveFeed::fail(util::ErrorCode error) {
    m_failure = error;
    m_following = false;
}

} // namespace supportdrop::inspector
