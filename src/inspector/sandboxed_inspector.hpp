#pragma once
// Inspection in a separate, confined process (sandbox.hpp), one per upload: libarchive parses
// hostile bytes there, and whatever happens to that process, the receiver carries on.

#include "inspector/archive_inspector.hpp"

#include <chrono>
#include <filesystem>

namespace supportdrop::inspector {

struct SandboxedInspectorSettings {
    std::filesystem::path executable = "/proc/self/exe"; // the supportdrop binary
    InspectionLimits limits;
    std::chrono::milliseconds wall_clock{10'000};
    std::uint64_t memory_bytes = std::uint64_t{256} << 20;
};

class SandboxedInspector final : public ArchiveInspector {
public:
    explicit SandboxedInspector(SandboxedInspectorSettings settings) : m_settings(std::move(settings)) {}

    // Starts `executable inspect-worker` with a socket as descriptor 3 and nothing else open,
    // answers its read requests from `plaintext` and returns its report. A process that dies,
    // breaks the protocol or outlives the wall-clock budget is killed; every child is reaped
    // before this returns, on every path. Blocking: call it from a worker thread.
    util::Result<InspectionReport> inspect(util::RandomAccessSource& plaintext) override;

private:
    SandboxedInspectorSettings m_settings;
};

} // namespace supportdrop::inspector
