#pragma once
// Encryption in RAR5 archives, read from the block headers directly: libarchive 3.6.2 (Debian 12)
// neither flags RAR5 entries whose data is encrypted nor says why an archive with encrypted
// headers (rar -hp) fails. Format: https://www.rarlab.com/technote.htm#arcblocks

#include "util/byte_stream.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace supportdrop::inspector {

struct Rar5Encryption {
    bool headers_encrypted = false;          // an archive encryption header: even names are secret
    std::vector<std::string> encrypted_data; // names of file entries with a file encryption record
};

// Walks the block headers of the RAR5 archive in `source` (up to `max_headers` of them) without
// decompressing anything. A damaged or truncated archive ends the walk early: what was found so
// far is returned, and libarchive reports the damage. Untrusted input: sandboxed use only.
Rar5Encryption scan_rar5_encryption(util::RandomAccessSource& source, std::size_t max_headers);

} // namespace supportdrop::inspector
