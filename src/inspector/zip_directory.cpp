#include "inspector/zip_directory.hpp"

#include "util/little_endian.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <span>

namespace supportdrop::inspector {
namespace {

constexpr std::uint32_t k_end_signature = 0x06054b50;
constexpr std::uint32_t k_zip64_locator_signature = 0x07064b50;
constexpr std::uint32_t k_zip64_end_signature = 0x06064b50;
constexpr std::uint32_t k_file_header_signature = 0x02014b50;
constexpr std::size_t k_end_size = 22;
constexpr std::size_t k_max_comment = 0xFFFF;
constexpr std::size_t k_zip64_locator_size = 20;
constexpr std::size_t k_zip64_end_size = 56;
constexpr std::size_t k_file_header_size = 46;
constexpr std::uint16_t k_zip64_extra_id = 0x0001;
constexpr std::uint32_t k_in_zip64_field = 0xFFFFFFFF;

// The `size`-byte little-endian field at `offset` of a record.
std::uint64_t field(std::span<const std::uint8_t> record, std::size_t offset, std::size_t size) {
    return util::load_little_endian(record.subspan(offset, size));
}

struct Directory {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
};

// Where the central directory is: the end record is found by its signature within the last
// 64 KiB (its comment may be that long). The directory ends where the end record (or the ZIP64
// end record) begins, so data prepended to the archive (a self-extractor) does not matter.
std::optional<Directory> find_directory(util::RandomAccessSource& source, std::uint64_t size) {
    const std::size_t tail_size = static_cast<std::size_t>(std::min<std::uint64_t>(size, k_end_size + k_max_comment));
    if (tail_size < k_end_size) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> tail(tail_size);
    const std::uint64_t tail_offset = size - tail_size;
    if (!util::read_exactly_at(source, tail_offset, tail)) {
        return std::nullopt;
    }
    for (std::size_t at = tail_size - k_end_size + 1; at-- > 0;) {
        if (field(tail, at, 4) != k_end_signature || at + k_end_size + field(tail, at + 20, 2) > tail_size) {
            continue;
        }
        const std::uint64_t end_offset = tail_offset + at;
        const std::uint64_t directory_size = field(tail, at + 12, 4);
        if (field(tail, at + 10, 2) != 0xFFFF && directory_size != k_in_zip64_field &&
            field(tail, at + 16, 4) != k_in_zip64_field) {
            return directory_size <= end_offset ? std::optional(Directory{end_offset - directory_size, directory_size})
                                                : std::nullopt;
        }
        // ZIP64: the locator just before the end record says where the ZIP64 end record is.
        std::array<std::uint8_t, k_zip64_locator_size> locator{};
        std::array<std::uint8_t, k_zip64_end_size> zip64_end{};
        if (end_offset < locator.size() || !util::read_exactly_at(source, end_offset - locator.size(), locator) ||
            field(locator, 0, 4) != k_zip64_locator_signature) {
            return std::nullopt;
        }
        const std::uint64_t zip64_end_offset = field(locator, 8, 8);
        if (zip64_end_offset >= end_offset || !util::read_exactly_at(source, zip64_end_offset, zip64_end) ||
            field(zip64_end, 0, 4) != k_zip64_end_signature) {
            return std::nullopt;
        }
        const std::uint64_t zip64_directory_size = field(zip64_end, 40, 8);
        return zip64_directory_size <= zip64_end_offset
                   ? std::optional(Directory{zip64_end_offset - zip64_directory_size, zip64_directory_size})
                   : std::nullopt;
    }
    return std::nullopt;
}

// Sizes too large for the header's 32-bit fields are in the ZIP64 extra field, in this order:
// uncompressed, then compressed, each present only if its header field is 0xFFFFFFFF.
void apply_zip64_extra(std::span<const std::uint8_t> extra, ZipEntrySizes& sizes, bool uncompressed_there,
                       bool compressed_there) {
    for (std::size_t at = 0; at + 4 <= extra.size();) {
        const auto id = field(extra, at, 2);
        const std::size_t length = field(extra, at + 2, 2);
        const std::span<const std::uint8_t> data = extra.subspan(at + 4, std::min(length, extra.size() - at - 4));
        if (id == k_zip64_extra_id) {
            std::size_t next = 0;
            if (uncompressed_there && next + 8 <= data.size()) {
                sizes.uncompressed = field(data, next, 8);
                next += 8;
            }
            if (compressed_there && next + 8 <= data.size()) {
                sizes.compressed = field(data, next, 8);
            }
            return;
        }
        at += 4 + length;
    }
}

} // namespace

std::vector<ZipEntrySizes> read_zip_entry_sizes(util::RandomAccessSource& source, std::size_t max_entries) {
    std::vector<ZipEntrySizes> entries;
    auto size = source.size();
    if (!size) {
        return entries;
    }
    const auto directory = find_directory(source, *size);
    if (!directory) {
        return entries;
    }
    const std::uint64_t directory_end = directory->offset + directory->size;
    std::array<std::uint8_t, k_file_header_size> header{};
    std::vector<std::uint8_t> extra;
    for (std::uint64_t at = directory->offset; entries.size() < max_entries && at + header.size() <= directory_end;) {
        if (!util::read_exactly_at(source, at, header) || field(header, 0, 4) != k_file_header_signature) {
            break;
        }
        ZipEntrySizes sizes{field(header, 20, 4), field(header, 24, 4)};
        const std::uint64_t name_length = field(header, 28, 2);
        const std::size_t extra_length = field(header, 30, 2);
        const std::uint64_t comment_length = field(header, 32, 2);
        const bool compressed_there = sizes.compressed == k_in_zip64_field;
        const bool uncompressed_there = sizes.uncompressed == k_in_zip64_field;
        if (compressed_there || uncompressed_there) {
            extra.resize(extra_length);
            if (!util::read_exactly_at(source, at + header.size() + name_length, extra)) {
                break;
            }
            apply_zip64_extra(extra, sizes, uncompressed_there, compressed_there);
        }
        entries.push_back(sizes);
        at += header.size() + name_length + extra_length + comment_length;
    }
    return entries;
}

} // namespace supportdrop::inspector
