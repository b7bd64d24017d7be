#pragma once
// What an upload is, decided by its first bytes (magic numbers), never by name or
// Content-Type.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace supportdrop::pipeline {

// The archive formats supportdrop accepts. Persisted: the values are pinned.
enum class ArchiveType : std::uint8_t { zip = 1, rar4 = 2, rar5 = 3, gzip = 4, tar = 5 };

// Recognised kinds of data that are not an accepted archive, named in the refusal message.
enum class OtherContent : std::uint8_t {
    empty,
    pdf,
    png,
    jpeg,
    gif,
    seven_zip,
    xz,
    bzip2,
    zstd,
    executable,
    text,
    unknown,
};

struct ContentType {
    std::optional<ArchiveType> archive; // set when accepted
    OtherContent other = OtherContent::unknown;
};

// Bytes needed for a decision: a tar header block.
inline constexpr std::size_t k_sniff_size = 512;

// Decides from the first min(k_sniff_size, total) bytes of the upload.
ContentType detect_content_type(std::span<const std::uint8_t> head);

// Stable lower-case names ("zip", "tar", ...), for the manifest, logs and JSON.
std::string_view archive_type_name(ArchiveType type);
std::string_view other_content_name(OtherContent other);
std::optional<ArchiveType> archive_type_from_name(std::string_view name);

// Whether a client file name's extension fits the detected type (".zip" for ZIP, ".tar.gz",
// ".tgz" or ".gz" for gzip, ...). Used only to warn; the content decides.
bool extension_matches(ArchiveType type, std::string_view file_name);

} // namespace supportdrop::pipeline
