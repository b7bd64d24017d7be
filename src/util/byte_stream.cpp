#include "util/byte_stream.hpp"

#include <algorithm>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace supportdrop::util {

Result<std::size_t> read_full(ByteSource& source, std::span<std::uint8_t> out) {
    std::size_t filled = 0;
    while (filled < out.size()) {
        auto n = source.read(out.subspan(filled));
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            break;
        }
        filled += *n;
    }
    return filled;
}

Result<std::size_t> FdSource::read(std::span<std::uint8_t> out) {
    for (;;) {
        const ssize_t n = ::read(m_fd, out.data(), out.size());
        if (n >= 0) {
            return static_cast<std::size_t>(n);
        }
        if (errno != EINTR) {
            return last_system_error();
        }
    }
}

Result<void> FdSink::write(std::span<const std::uint8_t> data) {
    while (!data.empty()) {
        const ssize_t n = ::write(m_fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return last_system_error();
        }
        data = data.subspan(static_cast<std::size_t>(n));
    }
    return {};
}

Result<std::uint64_t> FdRandomAccessSource::size() {
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) {
        return last_system_error();
    }
    return static_cast<std::uint64_t>(st.st_size);
}

bool read_exactly_at(RandomAccessSource& source, std::uint64_t offset, std::span<std::uint8_t> out) {
    auto n = source.read_at(offset, out);
    return n && *n == out.size();
}

Result<std::size_t> FdRandomAccessSource::read_at(std::uint64_t offset, std::span<std::uint8_t> out) {
    std::size_t filled = 0;
    while (filled < out.size()) {
        const ssize_t n = ::pread(m_fd, out.data() + filled, out.size() - filled, static_cast<off_t>(offset + filled));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return last_system_error();
        }
        if (n == 0) {
            break;
        }
        filled += static_cast<std::size_t>(n);
    }
    return filled;
}

Result<std::size_t> SpanSource::read(std::span<std::uint8_t> out) {
    const std::size_t n = std::min(out.size(), m_rest.size());
    std::copy_n(m_rest.begin(), n, out.begin());
    m_rest = m_rest.subspan(n);
    return n;
}

Result<std::size_t> PrefixedSource::read(std::span<std::uint8_t> out) {
    if (m_prefix_read < m_prefix.size()) {
        const std::size_t n = std::min(out.size(), m_prefix.size() - m_prefix_read);
        std::memcpy(out.data(), m_prefix.data() + m_prefix_read, n);
        m_prefix_read += n;
        return n;
    }
    return m_rest->read(out);
}

Result<void> VectorSink::write(std::span<const std::uint8_t> data) {
    m_out->insert(m_out->end(), data.begin(), data.end());
    return {};
}

} // namespace supportdrop::util
