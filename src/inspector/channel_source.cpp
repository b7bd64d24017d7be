#include "inspector/channel_source.hpp"

#include "inspector/errors.hpp"

#include <algorithm>
#include <cstring>

namespace supportdrop::inspector {

ChannelSource::ChannelSource(Channel& channel, SharedWindows windows, std::uint64_t size)
    : m_channel(&channel), m_shared(std::move(windows)), m_size(size),
      m_read_ahead(size == k_size_arriving ? k_read_ahead_arriving : k_read_ahead) {}

util::Result<std::uint64_t> ChannelSource::size() {
    if (m_size != k_size_arriving) {
        return m_size;
    }
    // The answer comes after the replies to the windows in flight.
    if (auto settled = settle(); !settled) {
        return settled.error();
    }
    if (auto sent = m_channel->send(MessageType::ask_size, {}); !sent) {
        return sent.error();
    }
    auto reply = m_channel->receive(sizeof(std::uint64_t));
    if (!reply) {
        return reply.error();
    }
    const auto size = reply->type == MessageType::size ? decode_size(reply->payload()) : std::nullopt;
    if (!size) {
        return Errc::protocol_error;
    }
    m_size = *size;
    return m_size;
}

util::Result<std::size_t> ChannelSource::read_at(std::uint64_t offset, std::span<std::uint8_t> out) {
    std::size_t filled = 0;
    while (filled < out.size() && offset + filled < m_size) {
        auto slot = fetch((offset + filled) / k_window_size);
        if (!slot) {
            return slot.error();
        }
        if (m_size == k_size_arriving && m_windows[*slot].size < k_window_size) {
            m_size = m_windows[*slot].index * k_window_size + m_windows[*slot].size; // only the last is short
        }
        const std::uint64_t within = (offset + filled) % k_window_size;
        if (within >= m_windows[*slot].size) {
            break;
        }
        const std::size_t n = std::min(out.size() - filled, m_windows[*slot].size - within);
        std::memcpy(out.data() + filled, m_shared.window(*slot).data() + within, n);
        filled += n;
    }
    return filled;
}

util::Result<void> ChannelSource::settle() {
    while (!m_in_flight.empty()) {
        if (auto received = receive(); !received) {
            return received;
        }
    }
    return {};
}

std::optional<std::size_t> ChannelSource::slot_of(std::uint64_t index, bool in_flight) const {
    for (std::size_t slot = 0; slot < slots(); ++slot) {
        if (m_windows[slot].index == index && m_windows[slot].in_flight == in_flight) {
            return slot;
        }
    }
    return std::nullopt;
}

// Asks for window `index` into the least recently used slot that is not awaiting bytes. With
// slots() slots and at most m_read_ahead + 1 in flight, that is never the slot in use.
util::Result<void> ChannelSource::request(std::uint64_t index) {
    const std::size_t count = slots();
    std::size_t chosen = count;
    for (std::size_t slot = 0; slot < count; ++slot) {
        if (!m_windows[slot].in_flight && (chosen == count || m_windows[slot].last_use < m_windows[chosen].last_use)) {
            chosen = slot;
        }
    }
    m_windows[chosen] = Window{index, m_clock, 0, true};
    m_in_flight.push_back(chosen);
    const ReadRequest request{index * k_window_size, static_cast<std::uint32_t>(k_window_size),
                              static_cast<std::uint32_t>(chosen)};
    return m_channel->send(MessageType::read, encode_read(request));
}

// Receives the reply to the oldest request.
util::Result<void> ChannelSource::receive() {
    auto reply = m_channel->receive(sizeof(std::uint32_t));
    if (!reply) {
        return reply.error();
    }
    const auto filled = reply->type == MessageType::data ? decode_data(reply->payload()) : std::nullopt;
    if (!filled) {
        return Errc::protocol_error;
    }
    Window& window = m_windows[m_in_flight.front()];
    m_in_flight.pop_front();
    window.size = *filled;
    window.in_flight = false;
    return {};
}

util::Result<std::size_t> ChannelSource::fetch(std::uint64_t index) {
    ++m_clock;
    if (!slot_of(index, false) && !slot_of(index, true)) {
        if (auto sent = request(index); !sent) {
            return sent.error();
        }
    }
    // Replies come in the order of the requests: those asked for ahead arrive first.
    std::optional<std::size_t> slot;
    while (!(slot = slot_of(index, false))) {
        if (auto received = receive(); !received) {
            return received.error();
        }
    }
    m_windows[*slot].last_use = m_clock;
    const bool forward = m_previous != k_none && index == m_previous + 1;
    m_previous = index;
    if (!forward) {
        return *slot;
    }
    for (std::uint64_t next = index + 1; next <= index + m_read_ahead && next * k_window_size < m_size; ++next) {
        if (!slot_of(next, false) && !slot_of(next, true)) {
            if (auto sent = request(next); !sent) {
                return sent.error();
            }
        }
    }
    return *slot;
}

} // namespace supportdrop::inspector
