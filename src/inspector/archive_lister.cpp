#include "inspector/archive_lister.hpp"

#include "inspector/rar5_headers.hpp"
#include "inspector/readme.hpp"
#include "inspector/zip_directory.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <array>
#include <cerrno>
#include <memory>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>

namespace supportdrop::inspector {
namespace {

constexpr std::size_t k_read_block = std::size_t{4} * 1024;
constexpr std::uint64_t k_ratio_minimum_size = 1 << 20; // small files compress well; that is fine

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};

// libarchive pulls input through these callbacks, reading, skipping and seeking.
struct SourceReader {
    util::RandomAccessSource* source;
    std::uint64_t position = 0;
    std::array<std::uint8_t, k_read_block> block{};

    // Asked only where a seek or a skip needs it, never for gzip (read straight through): while
    // an upload arrives, the answer waits for its end.
    std::optional<std::uint64_t> size() {
        if (!known_size) {
            auto size = source->size();
            if (size) {
                known_size = *size;
            }
        }
        return known_size;
    }

    std::optional<std::uint64_t> known_size;
};

la_ssize_t read_callback(archive* a, void* client_data, const void** buffer) {
    auto* reader = static_cast<SourceReader*>(client_data);
    auto n = reader->source->read_at(reader->position, reader->block);
    if (!n) {
        archive_set_error(a, EIO, "cannot read the upload");
        return -1;
    }
    reader->position += *n;
    *buffer = reader->block.data();
    return static_cast<la_ssize_t>(*n);
}

la_int64_t seek_callback(archive*, void* client_data, la_int64_t offset, int whence) {
    auto* reader = static_cast<SourceReader*>(client_data);
    const auto size = reader->size();
    if (!size) {
        return ARCHIVE_FATAL;
    }
    const auto base = static_cast<la_int64_t>(whence == SEEK_SET ? 0 : whence == SEEK_CUR ? reader->position : *size);
    const la_int64_t target = base + offset;
    if (target < 0 || static_cast<std::uint64_t>(target) > *size) {
        return ARCHIVE_FATAL;
    }
    reader->position = static_cast<std::uint64_t>(target);
    return target;
}

la_int64_t skip_callback(archive*, void* client_data, la_int64_t request) {
    auto* reader = static_cast<SourceReader*>(client_data);
    const auto size = reader->size();
    if (!size) {
        return ARCHIVE_FATAL;
    }
    const auto skipped = std::min<std::uint64_t>(static_cast<std::uint64_t>(std::max<la_int64_t>(request, 0)),
                                                 *size - std::min(reader->position, *size));
    reader->position += skipped;
    return static_cast<la_int64_t>(skipped);
}

std::string format_name(int format) {
    switch (format & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_ZIP: return "zip";
    case ARCHIVE_FORMAT_TAR: return "tar";
    case ARCHIVE_FORMAT_RAR: return "rar";
    case ARCHIVE_FORMAT_RAR_V5: return "rar5";
    default: return {};
    }
}

// Path components, split at '/' and '\' (Windows tools write either).
std::vector<std::string_view> components(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/' || path[i] == '\\') {
            if (i > start) {
                parts.push_back(path.substr(start, i - start));
            }
            start = i + 1;
        }
    }
    return parts;
}

bool is_absolute(std::string_view path) {
    return path.starts_with('/') || path.starts_with('\\') ||
           (path.size() >= 2 && std::isalpha(static_cast<unsigned char>(path[0])) != 0 && path[1] == ':');
}

// What operating systems add when they pack a folder, beside it: macOS's Archive Utility puts
// resource forks under __MACOSX/, Finder leaves .DS_Store, Windows Explorer Thumbs.db and
// desktop.ini. None of it makes the folder one of several at the top.
bool is_system_metadata(const std::vector<std::string_view>& parts) {
    if (parts.front() == "__MACOSX") {
        return true;
    }
    return parts.size() == 1 && (parts.front() == ".DS_Store" || util::to_lower(parts.front()) == "thumbs.db" ||
                                 util::to_lower(parts.front()) == "desktop.ini");
}

bool looks_like_archive(std::string_view path) {
    const std::string lower = util::to_lower(path);
    for (const char* extension :
         {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab", ".jar"}) {
        if (lower.ends_with(extension)) {
            return true;
        }
    }
    return false;
}

class Lister {
public:
    Lister(util::RandomAccessSource& source, const InspectionLimits& limits, ArchiveListing& listing,
           Rar5Encryption rar5)
        : m_source(source), m_limits(limits), m_listing(listing), m_rar5(std::move(rar5)) {
        if (m_rar5.headers_encrypted) {
            note(Finding::encrypted_names);
        }
    }

    void note(Finding finding) {
        if (!m_listing.has(finding)) {
            m_listing.findings.push_back(finding);
        }
    }

    void run(archive* a) {
        archive_entry* entry = nullptr;
        std::int64_t previous_position = -1;
        std::uint64_t previous_size = 0;
        for (;;) {
            const int status = archive_read_next_header(a, &entry);
            m_listing.format = format_name(archive_format(a));
            // In a ZIP, read by seeking, the header positions are places in the central
            // directory, not in the data: its entries are measured there instead (below).
            if (previous_position >= 0 && m_listing.format != "zip") {
                check_ratio(previous_size, static_cast<std::uint64_t>(std::max<la_int64_t>(
                                               archive_read_header_position(a) - previous_position, 0)));
            }
            if (status == ARCHIVE_EOF) {
                break;
            }
            if (status < ARCHIVE_WARN) {
                fail(a, entry);
                break;
            }
            if (m_listing.entries.size() >= m_limits.max_entries) {
                note(Finding::too_many_entries);
                break;
            }
            previous_position = archive_read_header_position(a);
            previous_size = add_entry(a, entry);
            if (!consume_data(a)) {
                note(Finding::decompression_budget_exceeded);
                break;
            }
        }
        m_listing.gzip = archive_filter_count(a) > 1 && archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP;
        if (archive_read_has_encrypted_entries(a) > 0 && !m_listing.has(Finding::encrypted_names)) {
            note(Finding::encrypted_data);
        }
        // Asked for here, at the end: an upload inspected while it arrives has its size only then.
        const auto size = m_source.size();
        if (!size) {
            m_listing.error = "cannot read the upload";
            note(Finding::corrupt);
            return;
        }
        const std::uint64_t archive_size = std::max<std::uint64_t>(*size, 1);
        if (m_listing.format == "zip") {
            std::uint64_t compressed = 0;
            for (const ZipEntrySizes& sizes : read_zip_entry_sizes(m_source, m_limits.max_entries)) {
                check_ratio(sizes.uncompressed, sizes.compressed);
                compressed += std::min(sizes.compressed, archive_size);
            }
            // Entries that share their compressed data (an "overlapping" zip bomb) claim more
            // of it than the archive holds.
            if (compressed > archive_size) {
                note(Finding::compression_ratio_over_limit);
            }
        }
        // The whole archive: what its entries declare against the bytes it takes.
        if (m_listing.declared_bytes > k_ratio_minimum_size &&
            m_listing.declared_bytes / archive_size > m_limits.max_compression_ratio) {
            note(Finding::compression_ratio_over_limit);
        }
        choose_readme();
    }

private:
    // Through the gzip filter, skipping an entry means decompressing it: do that here, block by
    // block, so that the budget stops a bomb inside one entry rather than after it. Returns
    // false when the budget is spent. (ZIP and RAR skip by seeking; they decompress nothing.)
    bool consume_data(archive* a) {
        const auto budget = static_cast<la_int64_t>(m_limits.max_decompressed_bytes);
        if (archive_filter_count(a) <= 1) {
            return archive_filter_bytes(a, 0) <= budget;
        }
        const void* block = nullptr;
        std::size_t size = 0;
        la_int64_t offset = 0;
        while (archive_filter_bytes(a, 0) <= budget) {
            if (archive_read_data_block(a, &block, &size, &offset) != ARCHIVE_OK) {
                return archive_filter_bytes(a, 0) <= budget; // end of entry, or damage the next header reports
            }
        }
        return false;
    }

    void fail(archive* a, archive_entry* entry) {
        const char* message = archive_error_string(a);
        m_listing.error = message != nullptr ? message : "unreadable archive";
        m_listing.out_of_memory = archive_errno(a) == ENOMEM;
        // libarchive 3.6 reports encrypted entry lists as a fatal header error.
        const bool names_encrypted = m_listing.has(Finding::encrypted_names) ||
                                     (entry != nullptr && archive_entry_is_metadata_encrypted(entry) != 0) ||
                                     m_listing.error.find("ncrypt") != std::string::npos;
        note(names_encrypted ? Finding::encrypted_names : Finding::corrupt);
    }

    // Records the entry; returns its size (for the ratio against the next header's position).
    std::uint64_t add_entry(archive* a, archive_entry* entry) {
        // Without a UTF-8 locale libarchive may fail to convert names; the stored bytes remain.
        const char* utf8 = archive_entry_pathname_utf8(entry);
        const char* raw = archive_entry_pathname(entry);
        std::string path = utf8 != nullptr && *utf8 != '\0' ? utf8 : (raw != nullptr ? raw : "");
        if (path.size() > m_limits.max_path_bytes) {
            path.resize(m_limits.max_path_bytes);
            note(Finding::path_too_long);
        }
        ArchiveEntry listed;
        listed.size = archive_entry_size_is_set(entry) != 0 ? static_cast<std::uint64_t>(archive_entry_size(entry)) : 0;
        listed.encrypted = archive_entry_is_data_encrypted(entry) != 0 ||
                           (m_listing.format == "rar5" &&
                            std::ranges::find(m_rar5.encrypted_data, path) != m_rar5.encrypted_data.end());
        if (listed.encrypted) {
            note(Finding::encrypted_data);
        }
        if (archive_entry_hardlink(entry) != nullptr || archive_entry_hardlink_utf8(entry) != nullptr) {
            listed.kind = EntryKind::hardlink;
            note(Finding::hardlink);
        } else {
            switch (archive_entry_filetype(entry)) {
            case AE_IFREG: listed.kind = EntryKind::file; break;
            case AE_IFDIR: listed.kind = EntryKind::directory; break;
            case AE_IFLNK:
                listed.kind = EntryKind::symlink;
                note(Finding::symlink);
                break;
            default: listed.kind = EntryKind::special; note(Finding::special_file);
            }
        }
        if (is_absolute(path)) {
            note(Finding::absolute_path);
        }
        const auto parts = components(path);
        if (std::ranges::find(parts, "..") != parts.end()) {
            note(Finding::path_traversal);
        }
        if (!m_seen.insert(path).second) {
            note(Finding::duplicate_name);
        }
        if (listed.kind == EntryKind::file && looks_like_archive(path)) {
            note(Finding::nested_archive);
        }
        m_listing.declared_bytes += listed.size;
        if (m_listing.declared_bytes > m_limits.max_declared_bytes) {
            note(Finding::declared_size_over_limit);
        }
        if (!parts.empty() && !is_system_metadata(parts)) {
            if (!m_top_levels.contains(parts.front())) {
                m_top_levels.emplace(parts.front());
            }
            if (parts.size() > 1 || listed.kind == EntryKind::directory) {
                if (!m_folders.contains(parts.front())) {
                    m_folders.emplace(parts.front());
                }
            }
        }
        if (listed.kind == EntryKind::file && !parts.empty() && is_readme_name(parts.back())) {
            keep_readme(a, path, parts.size(), listed.encrypted);
        }
        m_listing.entries.push_back(std::move(listed));
        m_listing.entries.back().path = std::move(path);
        return m_listing.entries.back().size;
    }

    // Keeps the first Readme at the root, and the first one a folder deep in case that folder
    // turns out to be the only top-level entry.
    void keep_readme(archive* a, const std::string& path, std::size_t depth, bool encrypted) {
        Candidate* candidate = depth == 1 ? &m_root_readme : depth == 2 ? &m_nested_readme : nullptr;
        if (candidate == nullptr || !candidate->path.empty()) {
            return;
        }
        candidate->path = path;
        candidate->encrypted = encrypted;
        if (encrypted) {
            return;
        }
        // In pieces, so that a Readme of a few lines costs a few KiB, not the whole cap zeroed
        // (16 page faults in every worker).
        constexpr std::size_t k_piece = std::size_t{8} * 1024;
        std::vector<std::uint8_t>& bytes = candidate->bytes;
        while (bytes.size() < m_limits.max_readme_bytes) {
            const std::size_t filled = bytes.size();
            bytes.resize(filled + std::min(k_piece, m_limits.max_readme_bytes - filled));
            const la_ssize_t n = archive_read_data(a, bytes.data() + filled, bytes.size() - filled);
            bytes.resize(filled + static_cast<std::size_t>(std::max<la_ssize_t>(n, 0)));
            if (n <= 0) {
                if (n < 0) {
                    note(Finding::corrupt);
                }
                break;
            }
        }
    }

    void choose_readme() {
        if (!m_root_readme.path.empty()) {
            m_listing.readme_path = std::move(m_root_readme.path);
            m_listing.readme = std::move(m_root_readme.bytes);
            m_listing.readme_encrypted = m_root_readme.encrypted;
        } else if (!m_nested_readme.path.empty() && m_top_levels.size() == 1 && m_folders.size() == 1) {
            m_listing.readme_path = std::move(m_nested_readme.path);
            m_listing.readme = std::move(m_nested_readme.bytes);
            m_listing.readme_encrypted = m_nested_readme.encrypted;
        }
    }

    void check_ratio(std::uint64_t size, std::uint64_t compressed) {
        if (size > k_ratio_minimum_size &&
            size / std::max<std::uint64_t>(compressed, 1) > m_limits.max_compression_ratio) {
            note(Finding::compression_ratio_over_limit);
        }
    }

    struct Candidate {
        std::string path;
        std::vector<std::uint8_t> bytes;
        bool encrypted = false;
    };

    util::RandomAccessSource& m_source;
    const InspectionLimits& m_limits;
    ArchiveListing& m_listing;
    Rar5Encryption m_rar5;
    std::unordered_set<std::string> m_seen;
    std::set<std::string, std::less<>> m_top_levels; // a handful: the archive's top level
    std::set<std::string, std::less<>> m_folders;
    Candidate m_root_readme;
    Candidate m_nested_readme;
};

} // namespace

std::string_view finding_name(Finding finding) {
    switch (finding) {
    case Finding::path_traversal: return "path_traversal";
    case Finding::absolute_path: return "absolute_path";
    case Finding::symlink: return "symlink";
    case Finding::hardlink: return "hardlink";
    case Finding::special_file: return "special_file";
    case Finding::duplicate_name: return "duplicate_name";
    case Finding::too_many_entries: return "too_many_entries";
    case Finding::declared_size_over_limit: return "declared_size_over_limit";
    case Finding::compression_ratio_over_limit: return "compression_ratio_over_limit";
    case Finding::nested_archive: return "nested_archive";
    case Finding::corrupt: return "corrupt";
    case Finding::encrypted_data: return "encrypted_data";
    case Finding::encrypted_names: return "encrypted_names";
    case Finding::path_too_long: return "path_too_long";
    case Finding::decompression_budget_exceeded: return "decompression_budget_exceeded";
    }
    return "unknown";
}

bool ArchiveListing::has(Finding finding) const {
    return std::ranges::find(findings, finding) != findings.end();
}

ArchiveListing list_archive(util::RandomAccessSource& source, const InspectionLimits& limits) {
    ArchiveListing listing;
    std::unique_ptr<archive, ArchiveDeleter> reader(archive_read_new());
    if (!reader) {
        listing.error = "cannot read the upload";
        listing.findings.push_back(Finding::corrupt);
        return listing;
    }
    // The minimal surface: these formats and this filter, nothing that calls external programs.
    archive_read_support_filter_gzip(reader.get());
    archive_read_support_format_zip(reader.get());
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_rar(reader.get());
    archive_read_support_format_rar5(reader.get());
    auto client = std::make_unique<SourceReader>(SourceReader{&source, 0, {}, std::nullopt});
    archive_read_set_callback_data(reader.get(), client.get());
    archive_read_set_read_callback(reader.get(), read_callback);
    archive_read_set_seek_callback(reader.get(), seek_callback);
    archive_read_set_skip_callback(reader.get(), skip_callback);
    if (archive_read_open1(reader.get()) != ARCHIVE_OK) {
        const char* message = archive_error_string(reader.get());
        listing.error = message != nullptr ? message : "not a supported archive";
        listing.out_of_memory = archive_errno(reader.get()) == ENOMEM;
        listing.findings.push_back(Finding::corrupt);
        return listing;
    }
    Lister(source, limits, listing, scan_rar5_encryption(source, limits.max_entries + 2)).run(reader.get());
    return listing;
}

} // namespace supportdrop::inspector
