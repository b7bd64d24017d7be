#pragma once
// Pull and push byte streams: the seams between the age library and files, pipes and sockets.

#include "util/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace supportdrop::util {

// A source of bytes read in order. Not thread-safe.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Reads up to out.size() bytes; returns 0 only at the end of the stream.
    virtual Result<std::size_t> read(std::span<std::uint8_t> out) = 0;
};

// The largest ByteSink::write_alignment(): a memory page, the block of direct I/O.
inline constexpr std::size_t k_max_write_alignment = 4096;

// A destination for bytes written in order. Not thread-safe.
class ByteSink {
public:
    virtual ~ByteSink() = default;
    // Writes all of `data` or fails.
    virtual Result<void> write(std::span<const std::uint8_t> data) = 0;
    // Writes whose length and position in the stream are multiples of this, from memory aligned
    // to it, take the sink's cheapest path (a file's: direct I/O, past the page cache); it takes
    // all others too. A power of two, at most k_max_write_alignment.
    virtual std::size_t write_alignment() const { return 1; }
};

// Bytes that can be read at any offset, e.g. a file still being written. Not thread-safe.
class RandomAccessSource {
public:
    virtual ~RandomAccessSource() = default;
    // The number of bytes readable now.
    virtual Result<std::uint64_t> size() = 0;
    // Reads up to out.size() bytes at `offset`; fewer only at the end.
    virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) = 0;
};

// Reads until `out` is full or the source ends; returns how many bytes were read.
Result<std::size_t> read_full(ByteSource& source, std::span<std::uint8_t> out);

// Whether `out` could be filled from `offset` (false also when the source fails).
bool read_exactly_at(RandomAccessSource& source, std::uint64_t offset, std::span<std::uint8_t> out);

// Reads from a file descriptor it does not own, retrying on EINTR.
class FdSource final : public ByteSource {
public:
    explicit FdSource(int fd) : m_fd(fd) {}
    Result<std::size_t> read(std::span<std::uint8_t> out) override;

private:
    int m_fd;
};

// Writes to a file descriptor it does not own, retrying on EINTR and short writes.
class FdSink final : public ByteSink {
public:
    explicit FdSink(int fd) : m_fd(fd) {}
    Result<void> write(std::span<const std::uint8_t> data) override;

private:
    int m_fd;
};

// A file descriptor it does not own, read with pread (its file offset is untouched).
class FdRandomAccessSource final : public RandomAccessSource {
public:
    explicit FdRandomAccessSource(int fd) : m_fd(fd) {}
    Result<std::uint64_t> size() override;
    Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override;

private:
    int m_fd;
};

// Reads from memory it does not own.
class SpanSource final : public ByteSource {
public:
    explicit SpanSource(std::span<const std::uint8_t> data) : m_rest(data) {}
    Result<std::size_t> read(std::span<std::uint8_t> out) override;

private:
    std::span<const std::uint8_t> m_rest;
};

// Yields `prefix` first, then the bytes of `rest`: gives back what a parser read ahead.
class PrefixedSource final : public ByteSource {
public:
    PrefixedSource(std::vector<std::uint8_t> prefix, ByteSource& rest) : m_prefix(std::move(prefix)), m_rest(&rest) {}
    Result<std::size_t> read(std::span<std::uint8_t> out) override;

private:
    std::vector<std::uint8_t> m_prefix;
    std::size_t m_prefix_read = 0;
    ByteSource* m_rest;
};

// Appends to a vector it does not own.
class VectorSink final : public ByteSink {
public:
    explicit VectorSink(std::vector<std::uint8_t>& out) : m_out(&out) {}
    Result<void> write(std::span<const std::uint8_t> data) override;

private:
    std::vector<std::uint8_t>* m_out;
};

} // namespace supportdrop::util
