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
#include <sys/stat.h>

namespace supportdrop::inspector {
namespace {

// The upload, read from the receiver in aligned windows that are kept for a while: libarchive
// seeks to every entry of a ZIP, and most of those seeks land in a window already here.
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
            if (within >= (*window)->bytes.size()) {
                break;
            }
            const std::size_t n = std::min(out.size() - filled, (*window)->bytes.size() - within);
            std::memcpy(out.data() + filled, (*window)->bytes.data() + within, n);
            filled += n;
        }
        return filled;
    }

private:
    static constexpr std::size_t k_window_size = std::size_t{256} * 1024;
    static constexpr std::size_t k_windows = 4;

    struct Window {
        std::uint64_t index = UINT64_MAX;
        std::uint64_t last_use = 0;
        std::vector<std::uint8_t> bytes;
    };

    util::Result<Window*> fetch(std::uint64_t index) {
        ++m_clock;
        auto found = std::ranges::find(m_windows, index, &Window::index);
        if (found == m_windows.end()) {
            found = std::ranges::min_element(m_windows, {}, &Window::last_use);
            const ReadRequest request{index * k_window_size, static_cast<std::uint32_t>(k_window_size)};
            if (auto sent = m_channel->send(MessageType::read, encode_read(request)); !sent) {
                return sent.error();
            }
            auto reply = m_channel->receive(k_window_size);
            if (!reply || reply->type != MessageType::data) {
                return reply ? util::ErrorCode(Errc::protocol_error) : reply.error();
            }
            found->index = index;
            found->bytes = std::move(reply->payload);
        }
        found->last_use = m_clock;
        return &*found;
    }

    Channel* m_channel;
    std::uint64_t m_size;
    std::uint64_t m_clock = 0;
    std::array<Window, k_windows> m_windows;
};

// Loads what libarchive and the C library would otherwise load lazily, from files the sandbox
// no longer lets it open. Without the UTF-8 locale entry names would not convert: no inspection.
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

constexpr int k_exit_out_of_memory = 5;

} // namespace

int run_inspector_worker() {
    struct stat st {};
    if (::fstat(k_worker_channel_fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        return 2; // started by hand: there is nothing to inspect
    }
    Channel channel(k_worker_channel_fd);
    auto message = channel.receive(256);
    auto job = message && message->type == MessageType::job ? decode_job(message->payload) : std::nullopt;
    if (!job) {
        return 2;
    }
    if (!prepare_for_sandbox() || !enter_sandbox(SandboxLimits{job->memory_limit_bytes, job->cpu_limit_seconds})) {
        return 3;
    }
    ChannelSource source(channel, job->upload_size);
    const InspectionReport inspection = inspect_archive(source, job->limits);
    if (inspection.listing.out_of_memory) {
        return k_exit_out_of_memory; // like a crash: the memory budget decides, not the archive
    }
    const std::string report = report_to_json(inspection);
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(report.data()), report.size());
    return channel.send(MessageType::report, bytes) ? 0 : 4;
}

} // namespace supportdrop::inspector
