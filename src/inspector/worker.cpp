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
#include <utility>

namespace supportdrop::inspector {
namespace {

// The upload, read from the receiver in aligned windows that are kept for a while: libarchive
// seeks to every entry of a ZIP, and most of those seeks land in a window already here. Each
// window that arrives has the next one requested at once, so that the receiver reads and
// decrypts it while this process parses: for sequential reading the two work in parallel.
class ChannelSource final : public util::RandomAccessSource {
public:
    ChannelSource(Channel& channel, std::uint64_t size) : m_channel(&channel), m_size(size) {}

    util::Result<std::uint64_t> size() override { return m_size; }

    util::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override {
        std::size_t filled = 0;
        while (filled < out.size() && offset + filled < m_size) {
            auto window = fetch((offset + filled) / k_window_size);
            if (!window) {
                return window.error();
            }
            const std::uint64_t within = (offset + filled) % k_window_size;
            const std::span<const std::uint8_t> bytes = (*window)->bytes.payload();
            if (within >= bytes.size()) {
                break;
            }
            const std::size_t n = std::min(out.size() - filled, bytes.size() - within);
            std::memcpy(out.data() + filled, bytes.data() + within, n);
            filled += n;
        }
        return filled;
    }

    // Takes the replies to windows asked for ahead, if any are on their way: the receiver may be
    // blocked writing it, and would not read the report meanwhile.
    util::Result<void> settle() {
        for (; !m_ahead.empty(); m_ahead.pop_front()) {
            if (auto received = receive(m_ahead.front()); !received) {
                return received.error();
            }
        }
        return {};
    }

private:
    static constexpr std::size_t k_window_size = std::size_t{128} * 1024;
    static constexpr std::size_t k_windows = 8;
    static constexpr std::uint64_t k_read_ahead = 4; // windows in flight beyond the one in use
    static constexpr std::uint64_t k_none = UINT64_MAX;

    struct Window {
        std::uint64_t index = k_none;
        std::uint64_t last_use = 0;
        Message bytes;
    };

    Window* cached(std::uint64_t index) {
        auto found = std::ranges::find(m_windows, index, &Window::index);
        return found == m_windows.end() ? nullptr : &*found;
    }

    util::Result<void> request(std::uint64_t index) {
        const ReadRequest request{index * k_window_size, static_cast<std::uint32_t>(k_window_size)};
        return m_channel->send(MessageType::read, encode_read(request));
    }

    // Receives the reply to the oldest request into the least recently used window.
    util::Result<Window*> receive(std::uint64_t index) {
        auto reply = m_channel->receive(k_window_size);
        if (!reply || reply->type != MessageType::data) {
            return reply ? util::ErrorCode(Errc::protocol_error) : reply.error();
        }
        Window* slot = nullptr;
        for (Window& window : m_windows) {
            if (slot == nullptr || window.last_use < slot->last_use) {
                slot = &window;
            }
        }
        slot->index = index;
        slot->bytes = std::move(*reply);
        slot->last_use = m_clock;
        return slot;
    }

    util::Result<Window*> fetch(std::uint64_t index) {
        ++m_clock;
        Window* window = cached(index);
        // Windows asked for ahead arrive first, wanted now or not.
        while (window == nullptr && !m_ahead.empty()) {
            const std::uint64_t ahead = m_ahead.front();
            m_ahead.pop_front();
            auto received = receive(ahead);
            if (!received) {
                return received.error();
            }
            window = ahead == index ? *received : nullptr;
        }
        if (window == nullptr) {
            if (auto sent = request(index); !sent) {
                return sent.error();
            }
            auto received = receive(index);
            if (!received) {
                return received.error();
            }
            window = *received;
        }
        window->last_use = m_clock;
        for (std::uint64_t next = index + 1; next <= index + k_read_ahead && next * k_window_size < m_size; ++next) {
            if (cached(next) == nullptr && std::ranges::find(m_ahead, next) == m_ahead.end()) {
                if (auto sent = request(next); !sent) {
                    return sent.error();
                }
                m_ahead.push_back(next);
            }
        }
        return window;
    }

    Channel* m_channel;
    std::uint64_t m_size;
    std::uint64_t m_clock = 0;
    std::deque<std::uint64_t> m_ahead; // windows requested but not yet received, in order
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

int run_inspector_worker(int channel_fd) {
    Channel channel(channel_fd);
    auto message = channel.receive(256);
    auto job = message && message->type == MessageType::job ? decode_job(message->payload()) : std::nullopt;
    if (!job) {
        return k_exit_no_job;
    }
    if (!enter_sandbox(SandboxLimits{job->memory_limit_bytes, job->cpu_limit_seconds})) {
        return k_exit_no_sandbox;
    }
    ChannelSource source(channel, job->upload_size);
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
