#pragma once
// Inspection in a separate, confined process (sandbox.hpp), one per upload: libarchive parses
// hostile bytes there, and whatever happens to that process, the receiver carries on.

#include "inspector/archive_inspector.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

namespace supportdrop::inspector {

struct SandboxedInspectorSettings {
    std::filesystem::path executable = "/proc/self/exe"; // the supportdrop binary
    InspectionLimits limits;
    std::chrono::milliseconds wall_clock{10'000};
    std::uint64_t memory_bytes = std::uint64_t{128} << 20;
};

class SandboxedInspector final : public ArchiveInspector {
public:
    explicit SandboxedInspector(SandboxedInspectorSettings settings);
    SandboxedInspector(const SandboxedInspector&) = delete;
    SandboxedInspector& operator=(const SandboxedInspector&) = delete;
    ~SandboxedInspector() override;

    // Hands the upload to a fresh `executable inspect-worker` process (socket as descriptor 3,
    // nothing else open), answers its read requests from `plaintext` and returns its report. A
    // process that dies, breaks the protocol or outlives the wall-clock budget is killed; every
    // process is used once and reaped before this returns. One started process is kept idle in
    // advance (it holds nothing until its job comes), so that an upload does not wait for a
    // process to start. Blocking: call it from a worker thread.
    util::Result<InspectionReport> inspect(util::RandomAccessSource& plaintext) override;

private:
    struct Worker;

    std::unique_ptr<Worker> spawn_worker() const;
    std::unique_ptr<Worker> take_worker();
    void keep_spare();
    util::Result<InspectionReport> converse(Worker& worker, util::RandomAccessSource& plaintext, std::uint64_t size);

    SandboxedInspectorSettings m_settings;
    std::mutex m_mutex;
    std::unique_ptr<Worker> m_spare; // guarded by m_mutex
};

} // namespace supportdrop::inspector
