#pragma once
// What an inspection found: the listing, the Readme's encoding and contents, in one value the
// sandboxed inspector process sends back as JSON and the sealed manifest carries.

#include "inspector/archive_lister.hpp"
#include "inspector/readme.hpp"
#include "util/byte_stream.hpp"
#include "util/errors.hpp"

#include <string>
#include <string_view>

namespace supportdrop::inspector {

struct ReadmeReport {
    std::string path;       // empty: no Readme where one belongs
    bool encrypted = false; // found, but its content needs the archive's password
    TextEncoding encoding = TextEncoding::utf8;
    ReadmeFindings findings; // when found and readable
};

struct InspectionReport {
    ArchiveListing listing; // without the Readme's bytes
    ReadmeReport readme;
};

// Lists the archive in `source` and examines its Readme. Untrusted input: sandboxed use only.
InspectionReport inspect_archive(util::RandomAccessSource& source, const InspectionLimits& limits);

// The report as a JSON object (entry names and Readme text as JSON strings, escaped).
std::string report_to_json(const InspectionReport& report);

// Parses what report_to_json wrote, strictly: every field present with its type, known names
// only, and no more entries or longer strings than `limits` allow. Fails with
// Errc::bad_report; the text comes from the sandboxed process and is not trusted.
util::Result<InspectionReport> report_from_json(std::string_view json, const InspectionLimits& limits);

// The largest JSON text report_to_json can write under `limits`.
std::size_t max_report_size(const InspectionLimits& limits);

} // namespace supportdrop::inspector
