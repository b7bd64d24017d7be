#include "util/atomic_file.hpp"

#include "util/unique_fd.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace supportdrop::util {
namespace {

// Turns O_DIRECT on or off for `fd`; false if the file system refuses (tmpfs of older kernels).
bool set_direct_io(int fd, bool on) {
    const int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && ::fcntl(fd, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0;
}

std::filesystem::path directory_of(const std::filesystem::path& target) {
    const auto parent = target.parent_path();
    return parent.empty() ? std::filesystem::path(".") : parent;
}

bool exists_no_follow(const std::filesystem::path& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

} // namespace

Result<void> sync_directory(const std::filesystem::path& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return last_system_error();
    }
    const bool synced = ::fsync(fd) == 0;
    const ErrorCode error = synced ? ErrorCode() : last_system_error();
    ::close(fd);
    if (!synced) {
        return error;
    }
    return {};
}

Result<AtomicFile> AtomicFile::create(std::filesystem::path target, mode_t mode, Overwrite overwrite,
                                      const std::filesystem::path& staging_directory, PageCache page_cache) {
    if (overwrite == Overwrite::no && exists_no_follow(target)) {
        return Errc::file_exists;
    }
    const std::filesystem::path directory = staging_directory.empty() ? directory_of(target) : staging_directory;
    std::string pattern = (directory / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) {
        return last_system_error();
    }
    if (::fchmod(fd, mode) != 0) {
        const ErrorCode error = last_system_error();
        ::close(fd);
        ::unlink(pattern.c_str());
        return error;
    }
    return AtomicFile(std::move(target), std::filesystem::path(pattern), fd, overwrite, page_cache);
}

AtomicFile::AtomicFile(std::filesystem::path target, std::filesystem::path temporary, int fd, Overwrite overwrite,
                       PageCache page_cache)
    : m_target(std::move(target)), m_temporary(std::move(temporary)), m_fd(fd), m_written_source(fd),
      m_overwrite(overwrite), m_direct_io(page_cache == PageCache::bypass ? DirectIo::unused : DirectIo::ended) {}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_target(std::move(other.m_target)), m_temporary(std::move(other.m_temporary)), m_fd(other.m_fd),
      m_written_source(other.m_fd), m_overwrite(other.m_overwrite), m_written(other.m_written),
      m_written_back(other.m_written_back), m_reserved(other.m_reserved), m_direct_io(other.m_direct_io),
      m_background_flush(std::move(other.m_background_flush)), m_background_flushes(other.m_background_flushes) {
    other.m_fd = -1;
    other.m_temporary.clear();
}

AtomicFile::~AtomicFile() {
    discard();
}

void AtomicFile::discard() noexcept {
    wait_for_background_flush();
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_temporary.empty()) {
        ::unlink(m_temporary.c_str());
        m_temporary.clear();
    }
}

Result<void> AtomicFile::write(std::span<const std::uint8_t> data) {
    if (m_fd < 0) {
        return Errc::already_committed;
    }
    const auto whole_pages = [](std::uint64_t n) { return n % k_max_write_alignment == 0; };
    // The first write through the page cache, and direct writes after it: a ZIP's inspection
    // reads the first chunks of a sealed upload back; from the disk, 32 uploads of 5 MiB at once
    // took 2-3% more time and CPU.
    if (m_written == 0 && m_direct_io != DirectIo::ended && whole_pages(data.size())) {
        return write_buffered(data);
    }
    if (m_direct_io != DirectIo::ended && !data.empty() && whole_pages(data.size()) && whole_pages(m_written) &&
        whole_pages(reinterpret_cast<std::uintptr_t>(data.data()))) {
        auto written = write_direct(data);
        if (!written) {
            return written.error();
        }
        data = data.subspan(*written);
        if (data.empty()) {
            return {};
        }
    }
    use_page_cache();
    return write_buffered(data);
}

Result<std::size_t> AtomicFile::write_direct(std::span<const std::uint8_t> data) {
    if (m_direct_io == DirectIo::unused) {
        if (!set_direct_io(m_fd, true)) {
            m_direct_io = DirectIo::ended;
            return 0;
        }
        m_direct_io = DirectIo::on;
    }
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(m_fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EINVAL) {
            break; // the file system wants another alignment: the rest goes through the page cache
        }
        if (n < 0) {
            return last_system_error();
        }
        done += static_cast<std::size_t>(n);
    }
    m_written += done;
    m_written_back = m_written; // nothing of it waits in the page cache
    return done;
}

void AtomicFile::use_page_cache() {
    if (m_direct_io == DirectIo::on) {
        (void)set_direct_io(m_fd, false); // turning it off does not fail on a descriptor it was on for
    }
    m_direct_io = DirectIo::ended;
}

Result<void> AtomicFile::write_buffered(std::span<const std::uint8_t> data) {
    if (auto written = FdSink(m_fd).write(data); !written) {
        return written;
    }
    m_written += data.size();
    // Start writeback without waiting for it (Linux sync_file_range), every full MiB of the
    // first 8 MiB and every 8 MiB after that: the fsync in commit() then finds most pages
    // already clean, and the disk works while the rest arrives instead of after it (fsync of
    // 50 MiB takes ~25 ms on the benchmark's VM). With 8 MiB steps throughout, a 5 MiB upload
    // left all of it to commit(), and 32 at once took 10% longer; with 1 MiB steps throughout,
    // a 50 MiB upload cost 3-5% more CPU. Durability still comes from that fsync alone, so a
    // failure here is ignored.
    constexpr std::uint64_t k_fine_step = std::uint64_t{1} << 20;
    constexpr std::uint64_t k_coarse_step = std::uint64_t{8} << 20;
    const std::uint64_t step = m_written_back < k_coarse_step ? k_fine_step : k_coarse_step;
    if (m_written - m_written_back >= step) {
        start_writeback();
        if (step == k_coarse_step) {
            flush_in_background();
        }
    }
    return {};
}

// Written back is not yet durable: a disk with a write cache (a VM's virtual disk, whose cache is
// the host's page cache) holds the pages until a flush, and the flush of commit()'s fsync then
// waits for all of them (a 50 MiB upload alone: 32 of its 120 ms). Flushing what was written so
// far while the rest arrives leaves commit() the last few MiB (the same upload: 115-121 instead
// of 141-149 ms, the same CPU; ten interleaved rounds). One flush at a time; the next writeback
// step starts another once it has ended. Best effort, like the writeback: durability comes
// from commit().
void AtomicFile::flush_in_background() {
    if (m_background_flush.valid() &&
        m_background_flush.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        return;
    }
    // A descriptor of its own rather than a dup() of m_fd: Linux reports a writeback error once
    // to each open file description, and the one this flush sees must reach commit()'s fsync too.
    UniqueFd own(::open(m_temporary.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!own) {
        return;
    }
    try {
        m_background_flush = std::async(std::launch::async, [fd = std::move(own)] { (void)::fdatasync(fd.get()); });
        ++m_background_flushes;
    } catch (const std::system_error&) {
        // No thread to be had: commit() flushes it all.
    }
}

void AtomicFile::wait_for_background_flush() noexcept {
    if (m_background_flush.valid()) {
        m_background_flush.wait();
        m_background_flush = {};
    }
}

RandomAccessSource& AtomicFile::written() {
    // Reads need no alignment on a descriptor without O_DIRECT, and see what was written
    // directly as well (the kernel keeps the two paths coherent).
    if (m_fd >= 0) {
        use_page_cache();
    }
    return m_written_source;
}

void AtomicFile::reserve(std::uint64_t size) {
    if (m_fd < 0 || size <= m_written) {
        return;
    }
    // Recorded even when it fails: a file system may keep part of what it could not give in all.
    m_reserved = std::max(m_reserved, size);
    (void)::fallocate(m_fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(size));
}

void AtomicFile::start_writeback() {
    if (m_fd < 0 || m_written == m_written_back) {
        return;
    }
    (void)::sync_file_range(m_fd, static_cast<off_t>(m_written_back), static_cast<off_t>(m_written - m_written_back),
                            SYNC_FILE_RANGE_WRITE);
    m_written_back = m_written;
}

Result<void> AtomicFile::commit(DirectorySync directory_sync) {
    if (m_fd < 0) {
        return Errc::already_committed;
    }
    // Room reserved beyond the end is given back (a truncation to the same size does that), so
    // that the file holds no more of the disk than its bytes need.
    if (m_reserved > m_written && ::ftruncate(m_fd, static_cast<off_t>(m_written)) != 0) {
        const ErrorCode error = last_system_error();
        discard();
        return error;
    }
    wait_for_background_flush();
    // A failed fsync or close means the data may not be on disk: fail, never retry and succeed.
    if (::fsync(m_fd) != 0) {
        const ErrorCode error = last_system_error();
        discard();
        return error;
    }
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) {
        const ErrorCode error = last_system_error();
        discard();
        return error;
    }
    const unsigned flags = m_overwrite == Overwrite::no ? RENAME_NOREPLACE : 0;
    if (::renameat2(AT_FDCWD, m_temporary.c_str(), AT_FDCWD, m_target.c_str(), flags) != 0) {
        const ErrorCode error = errno == EEXIST ? ErrorCode(Errc::file_exists) : last_system_error();
        discard();
        return error;
    }
    m_temporary.clear();
    if (directory_sync == DirectorySync::by_caller) {
        return {};
    }
    return sync_directory(directory_of(m_target));
}

} // namespace supportdrop::util
