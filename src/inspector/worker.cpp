#include "inspector/worker.hpp"

#include "inspector/channel.hpp"
#include "inspector/channel_source.hpp"
#include "inspector/errors.hpp"
#include "inspector/report.hpp"
#include "inspector/sandbox.hpp"
#include "util/text.hpp"

#include <archive.h>
#include <clocale>
#include <optional>
#include <unistd.h>
#include <utility>

namespace supportdrop::inspector {
namespace {

// Exit statuses without a report; the receiver sees any of them as a crash.
constexpr int k_exit_no_job = 2;
constexpr int k_exit_no_sandbox = 3;
constexpr int k_exit_channel_failed = 4;
constexpr int k_exit_out_of_memory = 5;

} // namespace

std::optional<SandboxFilter> prepare_for_sandbox() {
    if (std::setlocale(LC_CTYPE, "C.UTF-8") == nullptr) {
        return std::nullopt;
    }
    archive* warm = archive_read_new();
    archive_read_support_filter_gzip(warm);
    archive_read_support_format_zip(warm);
    archive_read_free(warm);
    auto filter = SandboxFilter::compile();
    if (!filter) {
        return std::nullopt;
    }
    return std::move(*filter);
}

int run_inspector_worker(int channel_fd, int shared_windows, const SandboxFilter& filter) {
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
    if (job->upload_size == k_size_arriving) {
        windows->populate(); // a live inspection: it will use every window
    }
    if (!enter_sandbox(filter, SandboxLimits{job->memory_limit_bytes, job->cpu_limit_seconds})) {
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
    return channel.send(MessageType::report, util::bytes_of(report)) ? 0 : k_exit_channel_failed;
}

} // namespace supportdrop::inspector
