#pragma once
// The role the pipeline needs: look into an upload and say what is in it; and, as a feature an
// inspector may offer besides, look into it while it is still arriving.

#include "inspector/report.hpp"
#include "util/byte_stream.hpp"
#include "util/errors.hpp"

#include <cstdint>
#include <memory>
#include <span>

namespace supportdrop::inspector {

// Thread-safe: one inspection per call, any number at once.
class ArchiveInspector {
public:
    virtual ~ArchiveInspector() = default;
    // Inspects the `plaintext` of an upload. Fails with an inspector::Errc when no report came
    // about (the upload could not be processed); problems with the archive are in the report.
    virtual util::Result<InspectionReport> inspect(util::RandomAccessSource& plaintext) = 0;
};

// One upload's inspection that reads the bytes as they arrive, so that little is left to do
// after the last one. Ends its work (and whatever it started) when it goes. Not thread-safe.
class LiveInspection {
public:
    virtual ~LiveInspection() = default;
    // The upload's next bytes, in order from the first, valid during the call. Returns as soon as
    // they are handed over, or a few milliseconds later when the inspection is not ready for
    // them: then it stops following, and finish() reads back what it still needs.
    virtual void offer(std::span<const std::uint8_t> bytes) = 0;
    // The upload is complete and `plaintext` is all of it. Returns what ArchiveInspector::inspect
    // would, failing the same ways.
    virtual util::Result<InspectionReport> finish(util::RandomAccessSource& plaintext) = 0;
};

// Thread-safe.
class LiveArchiveInspector {
public:
    virtual ~LiveArchiveInspector() = default;
    // Starts inspecting an upload that is arriving, or fails with an inspector::Errc (then
    // inspect the upload once it is complete).
    virtual util::Result<std::unique_ptr<LiveInspection>> begin() = 0;
};

} // namespace supportdrop::inspector
