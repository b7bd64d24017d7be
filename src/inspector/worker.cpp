#include "inspector/worker.hpp"

#include "inspector/channel.hpp"
#include "inspector/errors.hpp"
#include "inspector/report.hpp"
#include "inspector/sandbox.hpp"

#include <algorithm>
#include <archive.h>
#include <array>
#include <clocale>
#include <cstring>
#include <deque>
#include <optional>
#include <unistd.h>
#include <utility>

namespace supportdrop::inspector {
namespace {

// The upload, read from the receiver in aligned windows of the shared memory that are kept for a
// while: libarchive seeks to every entry of a ZIP, and most of those seeks land in a window
// already here. Each window that arrives has the next ones requested at once, so that the
// receiver reads and decrypts them while this process parses: for sequential reading the two
// work in parallel. A window is chosen when it is requested, since the receiver fills it then.
class ChannelSource final : public util::RandomAccessSource {
public:
    ChannelSource(Channel& channel, SharedWindows windows, std::uint64_t size)
        : m_channel(&channel), m_shared(std::move(windows)), m_size(size) {}

    util::Result<std::uint64_t> size() override { return m_size; }

    util::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override {
        std::size_t filled = 0;
        while (filled < out.size() && offset + filled < m_size) {
            auto slot = fetch((offset + filled) / k_window_size);
            if (!slot) {
                return slot.error();
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

    // Takes the replies to windows asked for ahead, if any are on their way: the receiver may be
    // blocked writing one, and would not read the report meanwhile.
    util::Result<void> settle() {
        while (!m_in_flight.empty()) {
            if (auto received = receive(); !received) {
                return received;
            }
        }
        return {};
    }

private:
    static constexpr std::uint64_t k_read_ahead = 4; // windows in flight beyond the one in use
    static_assert(k_windows >= k_read_ahead + 2, "a slot for the window in use and one to request into");
    static constexpr std::uint64_t k_none = UINT64_MAX;

    struct Window {
        std::uint64_t index = k_none; // which window of the upload it holds, or is to hold
        std::uint64_t last_use = 0;
        std::size_t size = 0;
        bool in_flight = false;
    };

    std::optional<std::size_t> slot_of(std::uint64_t index, bool in_flight) const {
        for (std::size_t slot = 0; slot < m_windows.size(); ++slot) {
            if (m_windows[slot].index == index && m_windows[slot].in_flight == in_flight) {
                return slot;
            }
        }
        return std::nullopt;
    }

    // Asks for window `index` into the least recently used slot that is not awaiting bytes. With
    // k_windows slots and at most k_read_ahead + 1 in flight, that is never the slot in use.
    util::Result<void> request(std::uint64_t index) {
        std::size_t chosen = m_windows.size();
        for (std::size_t slot = 0; slot < m_windows.size(); ++slot) {
            if (!m_windows[slot].in_flight &&
                (chosen == m_windows.size() || m_windows[slot].last_use < m_windows[chosen].last_use)) {
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
    util::Result<void> receive() {
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

    util::Result<std::size_t> fetch(std::uint64_t index) {
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
        for (std::uint64_t next = index + 1; next <= index + k_read_ahead && next * k_window_size < m_size; ++next) {
            if (!slot_of(next, false) && !slot_of(next, true)) {
                if (auto sent = request(next); !sent) {
                    return sent.error();
                }
            }
        }
        return *slot;
    }

    Channel* m_channel;
    SharedWindows m_shared;
    std::uint64_t m_size;
    std::uint64_t m_clock = 0;
    std::deque<std::size_t> m_in_flight; // slots requested but not yet filled, in order
    std::array<Window, k_windows> m_windows;
};

// Exit statuses without a report; the receiver sees any of them as a crash.
constexpr int k_exit_no_job = 2;
constexpr int k_exit_no_sandbox = 3;
constexpr int k_exit_channel_failed = 4;
constexpr int k_exit_out_of_memory = 5;

} // namespace

bool prepare_for_sandbox() {
    if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) {
        return false;
    }
    archive* warm = archive_read_new();
    archive_read_support_filter_gzip(warm);
    archive_read_support_format_zip(warm);
    archive_read_free(warm);
    return true;
}

int run_inspector_worker(int channel_fd, int shared_windows) {
    auto windows = SharedWindows::map(shared_windows, SharedWindows::Access::read);
    ::close(shared_windows); // the mapping stays; the sandbox allows no descriptor beyond the socket
    if (!windows) {
        return k_exit_no_sandbox;
    }
    Channel channel(channel_fd);
    auto message = channel.receive(256);
    auto job = message && message->type == MessageType::job ? decode_job(message->payload()) : std::nullopt;
    if (!job) {
        return k_exit_no_job;
    }
    if (!enter_sandbox(SandboxLimits{job->memory_limit_bytes, job->cpu_limit_seconds})) {
        return k_exit_no_sandbox;
    }
    ChannelSource source(channel, std::move(*windows), job->upload_size);
    const InspectionReport inspection = inspect_archive(source, job->limits);
    if (inspection.listing.out_of_memory) {
        return k_exit_out_of_memory; // like a crash: the memory budget decides, not the archive
    }
    if (!source.settle()) {
        return k_exit_channel_failed;
    }
    const std::string report = report_to_json(inspection);
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(report.data()), report.size());
    return channel.send(MessageType::report, bytes) ? 0 : k_exit_channel_failed;
}

} // namespace supportdrop::inspector
