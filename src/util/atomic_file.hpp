#pragma once
// A file that becomes visible under its name only on an explicit commit().

#include "util/byte_stream.hpp"
#include "util/errors.hpp"

#include <cstdint>
#include <filesystem>
#include <sys/types.h>

namespace supportdrop::util {

enum class Overwrite { no, yes };

// Whether AtomicFile::commit() syncs the target's directory itself, or leaves that to a caller
// that commits several files into one directory and then syncs it once (sync_directory).
enum class DirectorySync { now, by_caller };

// fsyncs a directory, making the renames into it durable. Fails with the system error.
Result<void> sync_directory(const std::filesystem::path& directory);

// Writes to a temporary file in the target's directory. commit() fsyncs the file, closes it
// (checked), renames it to the target and fsyncs the directory (unless the caller will, see
// DirectorySync); until then the target is untouched, and destroying an uncommitted AtomicFile
// removes the temporary file. Large files are written back to disk while they grow, so that
// commit() has little left to flush. Not thread-safe.
class AtomicFile final : public ByteSink {
public:
    // Creates the temporary file with `mode`, in `staging_directory` (which must be on the same
    // file system) or else next to `target`. With Overwrite::no, fails with Errc::file_exists
    // when `target` exists now, and commit() fails the same way if it appears meanwhile.
    static Result<AtomicFile> create(std::filesystem::path target, mode_t mode, Overwrite overwrite,
                                     const std::filesystem::path& staging_directory = {});

    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile() override;

    Result<void> write(std::span<const std::uint8_t> data) override;
    // Says that no more bytes follow before commit(): starts writeback of what has not yet been
    // started, so that the disk works while the caller does other things (an inspection) before it
    // commits. Durability still comes from commit() alone.
    void start_writeback();
    Result<void> commit(DirectorySync directory_sync = DirectorySync::now);

    // What has been written so far, readable until commit() or destruction.
    RandomAccessSource& written() { return m_written_source; }

    const std::filesystem::path& temporary_path() const { return m_temporary; }

private:
    AtomicFile(std::filesystem::path target, std::filesystem::path temporary, int fd, Overwrite overwrite);
    void discard() noexcept;

    std::filesystem::path m_target;
    std::filesystem::path m_temporary;
    int m_fd;
    FdRandomAccessSource m_written_source;
    Overwrite m_overwrite;
    std::uint64_t m_written = 0;      // bytes written so far
    std::uint64_t m_written_back = 0; // bytes whose writeback has been started
};

} // namespace supportdrop::util
