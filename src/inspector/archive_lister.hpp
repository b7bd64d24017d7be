#pragma once
// Lists an archive's entries with libarchive (zip, tar, rar, rar5 and the gzip filter only;
// never the "all" variants, which may run external programs), notes what staff should know
// before opening it, and keeps the Readme's bytes. It never extracts: only the Readme's data is
// read, capped. The bytes are untrusted: run it in the sandboxed inspector process.

#include "util/byte_stream.hpp"
#include "util/errors.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace supportdrop::inspector {

struct InspectionLimits {
    std::size_t max_entries = 10'000;
    std::uint64_t max_declared_bytes = std::uint64_t{2} << 30;       // sum of the entries' sizes
    std::uint64_t max_compression_ratio = 500;                       // per entry over 1 MiB, and overall
    std::uint64_t max_decompressed_bytes = std::uint64_t{256} << 20; // what decompression produced
    std::size_t max_path_bytes = 1024;
    std::size_t max_readme_bytes = std::size_t{64} * 1024;
    std::size_t min_concern_letters = 20; // letters beyond the contact lines that make a concern
};

// What staff should know about an archive. Persisted in manifests: the values are pinned.
enum class Finding : std::uint8_t {
    path_traversal = 1, // a ".." component
    absolute_path = 2,  // "/etc/x", "C:\x", "\\server\x"
    symlink = 3,
    hardlink = 4,
    special_file = 5, // device, FIFO, socket
    duplicate_name = 6,
    too_many_entries = 7, // listing stopped at the limit
    declared_size_over_limit = 8,
    compression_ratio_over_limit = 9,
    nested_archive = 10,  // listed, never opened
    corrupt = 11,         // truncated or damaged data
    encrypted_data = 12,  // entries whose content needs a password
    encrypted_names = 13, // even the entry list is encrypted (RAR -hp, ZIP central directory)
    path_too_long = 14,
    decompression_budget_exceeded = 15,
};

std::string_view finding_name(Finding finding);

enum class EntryKind : std::uint8_t { file = 1, directory = 2, symlink = 3, hardlink = 4, special = 5 };

struct ArchiveEntry {
    std::string path; // as stored (UTF-8 where the format says so), capped at max_path_bytes
    std::uint64_t size = 0;
    EntryKind kind = EntryKind::file;
    bool encrypted = false;
};

struct ArchiveListing {
    std::string format; // "zip", "tar", "rar", "rar5", or empty when not recognised
    bool gzip = false;  // the archive came through the gzip filter
    std::vector<ArchiveEntry> entries;
    std::uint64_t declared_bytes = 0;
    std::vector<Finding> findings;    // each at most once, in the order found
    std::string readme_path;          // empty: no Readme at the root or in the single top folder
    std::vector<std::uint8_t> readme; // its first max_readme_bytes bytes
    bool readme_encrypted = false;    // there is a Readme, but its content needs the password
    std::string error;                // libarchive's message when the archive is corrupt
    bool out_of_memory = false;       // libarchive gave up for want of memory: no verdict possible

    bool has(Finding finding) const;
};

// Lists `source` up to the end or a limit. Never fails: problems are findings. libarchive
// converts entry names through the C library's locale: LC_CTYPE should be a UTF-8 locale
// (the inspector process sets C.UTF-8). Not thread-safe per source.
// `source` is the upload: seekable, because libarchive reads a ZIP's central directory
// (symlinks, encrypted directories, the authoritative entry list) only when it can seek.
ArchiveListing list_archive(util::RandomAccessSource& source, const InspectionLimits& limits = {});

} // namespace supportdrop::inspector
