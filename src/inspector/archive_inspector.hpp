#pragma once
// The role the pipeline needs: look into an upload and say what is in it.

#include "inspector/report.hpp"
#include "util/byte_stream.hpp"
#include "util/errors.hpp"

namespace supportdrop::inspector {

// Thread-safe: one inspection per call, any number at once.
class ArchiveInspector {
public:
    virtual ~ArchiveInspector() = default;
    // Inspects the `plaintext` of an upload. Fails with an inspector::Errc when no report came
    // about (the upload could not be processed); problems with the archive are in the report.
    virtual util::Result<InspectionReport> inspect(util::RandomAccessSource& plaintext) = 0;
};

} // namespace supportdrop::inspector
