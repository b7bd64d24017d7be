#pragma once
// Entry sizes of a ZIP archive, read from its central directory directly. libarchive 3.6.2 does
// not tell an entry's compressed size, and when it reads a ZIP by seeking (as it does here), its
// header positions and byte counts are places in the central directory, which say nothing about
// how well an entry compresses. Format: PKWARE's APPNOTE.TXT 6.3.10, sections 4.3.12 (central
// directory file header), 4.3.14 to 4.3.16 (ZIP64 and the end of central directory records) and
// 4.5.3 (the ZIP64 extra field).

#include "util/byte_stream.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace supportdrop::inspector {

struct ZipEntrySizes {
    std::uint64_t compressed = 0;
    std::uint64_t uncompressed = 0;
};

// The sizes of the entries listed in the central directory of the ZIP archive in `source`, in
// directory order, at most `max_entries` of them. Without an end of central directory record
// the list is empty; a damaged directory ends it early. Reads only the directory's own records,
// never an entry's data. Untrusted input: sandboxed use only.
std::vector<ZipEntrySizes> read_zip_entry_sizes(util::RandomAccessSource& source, std::size_t max_entries);

} // namespace supportdrop::inspector
