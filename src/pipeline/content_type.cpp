#include "pipeline/content_type.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace supportdrop::pipeline {
namespace {

bool starts_with(std::span<const std::uint8_t> data, std::string_view magic) {
    return data.size() >= magic.size() &&
           std::equal(magic.begin(), magic.end(), data.begin(),
                      [](char m, std::uint8_t b) { return static_cast<std::uint8_t>(m) == b; });
}

// A ustar (POSIX, pax) or GNU tar header block: magic at offset 257 and a valid checksum.
bool is_tar_header(std::span<const std::uint8_t> block) {
    if (block.size() < k_sniff_size) {
        return false;
    }
    const std::string_view magic(reinterpret_cast<const char*>(block.data() + 257), 8);
    if (magic != std::string_view("ustar\0"
                                  "00",
                                  8) &&
        magic != std::string_view("ustar  \0", 8)) {
        return false;
    }
    // The checksum field (148..155) holds octal digits; it is summed as if it were spaces.
    unsigned expected = 0;
    bool digits = false;
    for (std::size_t i = 148; i < 156; ++i) {
        const std::uint8_t c = block[i];
        if (c >= '0' && c <= '7') {
            expected = expected * 8 + unsigned{c} - '0';
            digits = true;
        } else if (c != ' ' && c != '\0') {
            return false;
        }
    }
    unsigned sum = 0;
    for (std::size_t i = 0; i < k_sniff_size; ++i) {
        sum += (i >= 148 && i < 156) ? unsigned{' '} : unsigned{block[i]};
    }
    return digits && sum == expected;
}

bool looks_like_text(std::span<const std::uint8_t> data) {
    return std::all_of(data.begin(), data.end(),
                       [](std::uint8_t c) { return c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0x7f); });
}

} // namespace

ContentType detect_content_type(std::span<const std::uint8_t> head) {
    if (head.empty()) {
        return {std::nullopt, OtherContent::empty};
    }
    // ZIP: a local file header, or the end-of-central-directory record of an empty archive.
    if (starts_with(head, "PK\x03\x04") || starts_with(head, "PK\x05\x06")) {
        return {ArchiveType::zip, {}};
    }
    if (starts_with(head, std::string_view("Rar!\x1a\x07\x01\x00", 8))) {
        return {ArchiveType::rar5, {}};
    }
    if (starts_with(head, std::string_view("Rar!\x1a\x07\x00", 7))) {
        return {ArchiveType::rar4, {}};
    }
    if (starts_with(head, "\x1f\x8b\x08")) {
        return {ArchiveType::gzip, {}};
    }
    if (is_tar_header(head)) {
        return {ArchiveType::tar, {}};
    }
    static constexpr std::array<std::pair<std::string_view, OtherContent>, 11> others = {{
        {"%PDF-", OtherContent::pdf},
        {"\x89PNG\r\n\x1a\n", OtherContent::png},
        {"\xff\xd8\xff", OtherContent::jpeg},
        {"GIF87a", OtherContent::gif},
        {"GIF89a", OtherContent::gif},
        {"7z\xbc\xaf\x27\x1c", OtherContent::seven_zip},
        {"\xfd"
         "7zXZ",
         OtherContent::xz},
        {"BZh", OtherContent::bzip2},
        {"\x28\xb5\x2f\xfd", OtherContent::zstd},
        {"MZ", OtherContent::executable},
        {"\x7f"
         "ELF",
         OtherContent::executable},
    }};
    for (const auto& [magic, kind] : others) {
        if (starts_with(head, magic)) {
            return {std::nullopt, kind};
        }
    }
    return {std::nullopt, looks_like_text(head) ? OtherContent::text : OtherContent::unknown};
}

std::string_view archive_type_name(ArchiveType type) {
    switch (type) {
    case ArchiveType::zip: return "zip";
    case ArchiveType::rar4: return "rar4";
    case ArchiveType::rar5: return "rar5";
    case ArchiveType::gzip: return "gzip";
    case ArchiveType::tar: return "tar";
    }
    return "unknown";
}

std::optional<ArchiveType> archive_type_from_name(std::string_view name) {
    for (const ArchiveType type :
         {ArchiveType::zip, ArchiveType::rar4, ArchiveType::rar5, ArchiveType::gzip, ArchiveType::tar}) {
        if (archive_type_name(type) == name) {
            return type;
        }
    }
    return std::nullopt;
}

std::string_view other_content_name(OtherContent other) {
    switch (other) {
    case OtherContent::empty: return "empty";
    case OtherContent::pdf: return "pdf";
    case OtherContent::png: return "png";
    case OtherContent::jpeg: return "jpeg";
    case OtherContent::gif: return "gif";
    case OtherContent::seven_zip: return "7z";
    case OtherContent::xz: return "xz";
    case OtherContent::bzip2: return "bzip2";
    case OtherContent::zstd: return "zstd";
    case OtherContent::executable: return "executable";
    case OtherContent::text: return "text";
    case OtherContent::unknown: return "unknown";
    }
    return "unknown";
}

bool extension_matches(ArchiveType type, std::string_view file_name) {
    const std::string name = util::to_lower(file_name);
    switch (type) {
    case ArchiveType::zip: return name.ends_with(".zip");
    case ArchiveType::rar4:
    case ArchiveType::rar5: return name.ends_with(".rar");
    case ArchiveType::gzip: return name.ends_with(".tar.gz") || name.ends_with(".tgz") || name.ends_with(".gz");
    case ArchiveType::tar: return name.ends_with(".tar");
    }
    return false;
}

} // namespace supportdrop::pipeline
