#pragma once
// A file that becomes visible under its name only on an explicit commit().

#include "util/byte_stream.hpp"
#include "util/errors.hpp"

#include <cstdint>
#include <filesystem>
#include <future>
#include <sys/types.h>

namespace supportdrop::util {

enum class Overwrite { no, yes };

// Whether an AtomicFile writes whole pages past the page cache (O_DIRECT), after its first
// write: less CPU for the writer, and no memory for pages no one will read soon, but each such
// write waits for the disk.
enum class PageCache { use, bypass };

// Whether AtomicFile::commit() syncs the target's directory itself, or leaves that to a caller
// that commits several files into one directory and then syncs it once (sync_directory).
enum class DirectorySync { now, by_caller };

// fsyncs a directory, making the renames into it durable. Fails with the system error.
Result<void> sync_directory(const std::filesystem::path& directory);

// Writes to a temporary file in the target's directory. commit() fsyncs the file, closes it
// (checked), renames it to the target and fsyncs the directory (unless the caller will, see
// DirectorySync); until then the target is untouched, and destroying an uncommitted AtomicFile
// removes the temporary file. With PageCache::bypass, a write of whole pages at a page boundary,
// from page-aligned memory (write_alignment()), goes to the disk directly (O_DIRECT), except the
// first write of the file: its beginning stays in the page cache, since whoever reads such a file
// back soon reads that (an archive's inspection: the age header, the first entries). The first
// other write, the first read, or use_page_cache() ends direct writes for the file (a file
// system without direct I/O ends them at the first such write). Large files written through the
// page cache are written back to disk while they grow, and past their first 8 MiB also flushed
// on a thread of their own, so that commit() has little left to flush. Not thread-safe.
class AtomicFile final : public ByteSink {
public:
    // Creates the temporary file with `mode`, in `staging_directory` (which must be on the same
    // file system) or else next to `target`. With Overwrite::no, fails with Errc::file_exists
    // when `target` exists now, and commit() fails the same way if it appears meanwhile.
    static Result<AtomicFile> create(std::filesystem::path target, mode_t mode, Overwrite overwrite,
                                     const std::filesystem::path& staging_directory = {},
                                     PageCache page_cache = PageCache::use);

    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile() override;

    Result<void> write(std::span<const std::uint8_t> data) override;
    std::size_t write_alignment() const override { return m_direct_io == DirectIo::ended ? 1 : k_max_write_alignment; }
    // Says that no more bytes follow before commit(): starts writeback of what has not yet been
    // started, so that the disk works while the caller does other things (an inspection) before it
    // commits. Durability still comes from commit() alone.
    void start_writeback();
    // Writes through the page cache from now on, as with PageCache::use: for a caller that learns
    // after create() that it will read all the bytes back soon.
    void use_page_cache();
    // Reserves disk room for the file to grow to `size` bytes, without changing its size
    // (fallocate with FALLOC_FL_KEEP_SIZE): the file system then need not allocate as the writes
    // come, which costs them less CPU. commit() gives back what was not used. Best effort: where
    // the file system cannot, or the disk has not the room, the writes allocate as usual.
    void reserve(std::uint64_t size);
    Result<void> commit(DirectorySync directory_sync = DirectorySync::now);

    // What has been written so far, readable until commit() or destruction.
    RandomAccessSource& written();

    const std::filesystem::path& temporary_path() const { return m_temporary; }
    // How many flushes it has started on a thread of their own (see above).
    unsigned background_flushes() const { return m_background_flushes; }

private:
    AtomicFile(std::filesystem::path target, std::filesystem::path temporary, int fd, Overwrite overwrite,
               PageCache page_cache);
    void discard() noexcept;
    // Writes `data` directly as far as the file system lets it; returns how many bytes it took.
    Result<std::size_t> write_direct(std::span<const std::uint8_t> data);
    Result<void> write_buffered(std::span<const std::uint8_t> data);
    void flush_in_background();
    void wait_for_background_flush() noexcept;

    enum class DirectIo { unused, on, ended };

    std::filesystem::path m_target;
    std::filesystem::path m_temporary;
    int m_fd;
    FdRandomAccessSource m_written_source;
    Overwrite m_overwrite;
    std::uint64_t m_written = 0;      // bytes written so far
    std::uint64_t m_written_back = 0; // bytes whose writeback has been started, or written directly
    std::uint64_t m_reserved = 0;     // the size room was reserved for
    DirectIo m_direct_io;
    std::future<void> m_background_flush; // the last flush_in_background(), if one ran
    unsigned m_background_flushes = 0;
};

} // namespace supportdrop::util
