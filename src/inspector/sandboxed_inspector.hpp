#pragma once
// Inspection in a separate, confined process (sandbox.hpp), one per upload: libarchive parses
// hostile bytes there, and whatever happens to that process, the receiver carries on. The
// processes are forked by a fork server (fork_server.hpp) that this starts and replaces.

#include "inspector/archive_inspector.hpp"
#include "inspector/fork_server.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace supportdrop::inspector {

struct SandboxedInspectorSettings {
    std::filesystem::path executable = "/proc/self/exe"; // the supportdrop binary
    InspectionLimits limits;
    std::chrono::milliseconds wall_clock{10'000};
    std::uint64_t memory_bytes = std::uint64_t{128} << 20;
};

class SandboxedInspector final : public ArchiveInspector, public LiveArchiveInspector {
public:
    explicit SandboxedInspector(SandboxedInspectorSettings settings);
    SandboxedInspector(const SandboxedInspector&) = delete;
    SandboxedInspector& operator=(const SandboxedInspector&) = delete;
    ~SandboxedInspector() override;

    // Hands the upload to a fresh worker process (forked for it: its socket as descriptor 3 and
    // its shared windows mapped, nothing else open), answers its read requests from `plaintext`
    // and returns its report. A worker that dies, breaks the protocol or outlives the wall-clock
    // budget is killed; every worker is used once and has ended before this returns. Errors
    // (inspector::Errc): spawn_failed, crashed, timed_out, protocol_error, bad_report, read_failed. The fork server
    // (`executable inspect-forkserver`) is started when first needed, started again when it died, and replaced after
    // k_workers_per_fork_server workers, because the workers it forks share its address-space
    // layout: an attacker who probes it with crafted uploads has to start again. Thread-safe;
    // blocking: call it from a worker thread.
    util::Result<InspectionReport> inspect(util::RandomAccessSource& plaintext) override;

    // The same with a worker that is given the upload as it arrives: it asks for windows ahead
    // of the bytes, which offer() copies in as they come, and finish() reads back from the sealed
    // upload what was not handed over then. The wall-clock budget counts from finish(); the
    // worker's CPU limit from its start. Errors: those of inspect() that come before the first
    // read. The inspection must not outlive this inspector.
    util::Result<std::unique_ptr<LiveInspection>> begin() override;

    static constexpr unsigned k_workers_per_fork_server = 64;

private:
    struct ForkServer;
    struct Worker;
    class Live;

    std::unique_ptr<ForkServer> start_fork_server() const;
    util::Result<ForkedWorker> request_worker_locked(std::chrono::steady_clock::time_point deadline);
    util::Result<std::unique_ptr<Worker>> take_worker(std::chrono::steady_clock::time_point deadline);
    util::Result<void> send_job(Worker& worker, std::uint64_t upload_size,
                                std::chrono::steady_clock::time_point deadline) const;
    // Answers the worker's requests from `plaintext` until its report comes.
    util::Result<InspectionReport> converse(Worker& worker, util::RandomAccessSource& plaintext,
                                            std::chrono::steady_clock::time_point deadline) const;
    util::Result<InspectionReport> take_report(Worker& worker, const Message& report) const;

    SandboxedInspectorSettings m_settings;
    std::mutex m_mutex;
    std::unique_ptr<ForkServer> m_fork_server; // guarded by m_mutex
    // Replaced fork servers, finishing the workers they made; reaped once they have ended.
    std::vector<std::unique_ptr<ForkServer>> m_retired; // guarded by m_mutex
};

} // namespace supportdrop::inspector
