#include "inspector/channel.hpp"

#include "inspector/errors.hpp"
#include "util/little_endian.hpp"

#include <array>
#include <cerrno>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <type_traits>
#include <unistd.h>
#include <utility>

namespace supportdrop::inspector {
namespace {

constexpr std::size_t k_frame_header = 5;

// Little-endian fields in a fixed order.
class Writer {
public:
    void u64(std::uint64_t value) { util::append_little_endian(m_bytes, value, 8); }
    void u32(std::uint32_t value) { util::append_little_endian(m_bytes, value, 4); }
    std::vector<std::uint8_t> take() { return std::move(m_bytes); }

private:
    std::vector<std::uint8_t> m_bytes;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}
    std::uint64_t u64() { return field(8); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(field(4)); }
    // Every field was there and nothing is left over.
    bool complete() const { return m_ok && m_position == m_bytes.size(); }

private:
    std::uint64_t field(std::size_t size) {
        if (m_bytes.size() - m_position < size) {
            m_ok = false;
            return 0;
        }
        const std::uint64_t value = util::load_little_endian(m_bytes.subspan(m_position, size));
        m_position += size;
        return value;
    }

    std::span<const std::uint8_t> m_bytes;
    std::size_t m_position = 0;
    bool m_ok = true;
};

// The job's fields in their order on the wire, one list for encoding and decoding alike; each
// travels as a u64.
template <class JobType, class Field>
void job_fields(JobType& job, Field&& field) {
    field(job.upload_size);
    field(job.limits.max_entries);
    field(job.limits.max_declared_bytes);
    field(job.limits.max_compression_ratio);
    field(job.limits.max_decompressed_bytes);
    field(job.limits.max_path_bytes);
    field(job.limits.max_readme_bytes);
    field(job.limits.min_concern_letters);
    field(job.memory_limit_bytes);
    field(job.cpu_limit_seconds);
}

} // namespace

util::Result<void> wait_until_ready(int fd, short events, Deadline deadline) {
    if (!deadline) {
        return {};
    }
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return Errc::timed_out;
        }
        pollfd descriptor{fd, events, 0};
        const int ready = ::poll(&descriptor, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000)));
        if (ready > 0) {
            return {};
        }
        if (ready < 0 && errno != EINTR) {
            return util::last_system_error();
        }
    }
}

// Each call tries at once and polls only when the socket is not ready (a reply the worker has
// not yet sent, a full socket): most are ready, and a poll before each was half the channel's
// system calls. The deadline is checked before every try, so that a worker whose requests keep
// coming cannot keep the receiver serving it past the deadline either.
bool Channel::past_deadline() const {
    return m_deadline && std::chrono::steady_clock::now() >= *m_deadline;
}

util::Result<void> Channel::write_all(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
        if (past_deadline()) {
            return Errc::timed_out;
        }
        const ssize_t n = ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | (m_deadline ? MSG_DONTWAIT : 0));
        if (n < 0) {
            if (errno == EAGAIN) {
                if (auto ready = wait_until_ready(m_fd, POLLOUT, m_deadline); !ready) {
                    return ready;
                }
                continue;
            }
            if (errno == EINTR) {
                continue;
            }
            return util::last_system_error();
        }
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return {};
}

util::Result<void> Channel::read_exact(std::span<std::uint8_t> bytes) {
    while (!bytes.empty()) {
        if (past_deadline()) {
            return Errc::timed_out;
        }
        const ssize_t n = ::recv(m_fd, bytes.data(), bytes.size(), m_deadline ? MSG_DONTWAIT : 0);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (auto ready = wait_until_ready(m_fd, POLLIN, m_deadline); !ready) {
                    return ready;
                }
                continue;
            }
            if (errno == EINTR) {
                continue;
            }
            return util::last_system_error();
        }
        if (n == 0) {
            return Errc::channel_closed;
        }
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return {};
}

util::Result<void> Channel::send(MessageType type, std::span<const std::uint8_t> payload) {
    const auto length = static_cast<std::uint32_t>(payload.size());
    const std::array<std::uint8_t, k_frame_header> header = {
        static_cast<std::uint8_t>(type),         static_cast<std::uint8_t>(length),
        static_cast<std::uint8_t>(length >> 8),  static_cast<std::uint8_t>(length >> 16),
        static_cast<std::uint8_t>(length >> 24),
    };
    // One frame, one send: the payloads are small (the bytes travel through the windows).
    std::vector<std::uint8_t> frame;
    frame.reserve(header.size() + payload.size());
    frame.insert(frame.end(), header.begin(), header.end());
    frame.insert(frame.end(), payload.begin(), payload.end());
    return write_all(frame);
}

util::Result<Message> Channel::receive(std::size_t max_length) {
    std::array<std::uint8_t, k_frame_header> header{};
    if (auto read = read_exact(header); !read) {
        return read.error();
    }
    Reader length_reader(std::span<const std::uint8_t>(header).subspan(1));
    const std::uint32_t length = length_reader.u32();
    if (length > max_length || header[0] < static_cast<std::uint8_t>(MessageType::job) ||
        header[0] > static_cast<std::uint8_t>(MessageType::size)) {
        return Errc::protocol_error;
    }
    Message message{static_cast<MessageType>(header[0]), std::make_unique_for_overwrite<std::uint8_t[]>(length),
                    length};
    if (auto read = read_exact({message.bytes.get(), message.size}); !read) {
        return read.error();
    }
    return message;
}

util::Result<std::optional<WorkerRequest>> decode_request(const Message& message) {
    if (message.type == MessageType::ask_size && message.size == 0) {
        return WorkerRequest{MessageType::ask_size, {}};
    }
    if (message.type == MessageType::read) {
        const auto read = decode_read(message.payload());
        if (!read) {
            return Errc::protocol_error;
        }
        return WorkerRequest{MessageType::read, *read};
    }
    if (message.type == MessageType::report) {
        return std::optional<WorkerRequest>{};
    }
    return Errc::protocol_error;
}

std::vector<std::uint8_t> encode_job(const Job& job) {
    Writer writer;
    job_fields(job, [&writer](std::uint64_t value) { writer.u64(value); });
    return writer.take();
}

std::optional<Job> decode_job(std::span<const std::uint8_t> payload) {
    Reader reader(payload);
    Job job;
    job_fields(job,
               [&reader](auto& field) { field = static_cast<std::remove_reference_t<decltype(field)>>(reader.u64()); });
    if (!reader.complete()) {
        return std::nullopt;
    }
    return job;
}

std::vector<std::uint8_t> encode_read(const ReadRequest& request) {
    Writer writer;
    writer.u64(request.offset);
    writer.u32(request.length);
    writer.u32(request.window);
    return writer.take();
}

std::optional<ReadRequest> decode_read(std::span<const std::uint8_t> payload) {
    Reader reader(payload);
    ReadRequest request;
    request.offset = reader.u64();
    request.length = reader.u32();
    request.window = reader.u32();
    if (!reader.complete() || request.length > k_window_size || request.window >= k_windows) {
        return std::nullopt;
    }
    return request;
}

std::vector<std::uint8_t> encode_data(std::uint32_t filled) {
    Writer writer;
    writer.u32(filled);
    return writer.take();
}

std::optional<std::uint32_t> decode_data(std::span<const std::uint8_t> payload) {
    Reader reader(payload);
    const std::uint32_t filled = reader.u32();
    if (!reader.complete() || filled > k_window_size) {
        return std::nullopt;
    }
    return filled;
}

std::vector<std::uint8_t> encode_size(std::uint64_t size) {
    Writer writer;
    writer.u64(size);
    return writer.take();
}

std::optional<std::uint64_t> decode_size(std::span<const std::uint8_t> payload) {
    Reader reader(payload);
    const std::uint64_t size = reader.u64();
    if (!reader.complete() || size == k_size_arriving) {
        return std::nullopt;
    }
    return size;
}

util::UniqueFd SharedWindows::create_file() {
    util::UniqueFd file(::memfd_create("supportdrop-inspector-windows", MFD_CLOEXEC));
    if (file && ::ftruncate(file.get(), static_cast<off_t>(k_shared_windows_size)) != 0) {
        file.reset();
    }
    return file;
}

util::Result<SharedWindows> SharedWindows::map(int memory_file, Access access) {
    void* memory = ::mmap(nullptr, k_shared_windows_size, access == Access::read ? PROT_READ : PROT_WRITE, MAP_SHARED,
                          memory_file, 0);
    if (memory == MAP_FAILED) {
        return util::last_system_error();
    }
    return SharedWindows(static_cast<std::uint8_t*>(memory), access);
}

SharedWindows::SharedWindows(SharedWindows&& other) noexcept
    : m_memory(std::exchange(other.m_memory, nullptr)), m_access(other.m_access) {}

void SharedWindows::populate() const {
    // On a VM whose page faults are slow (~16 us each), the 640 pages of a live inspection's
    // windows took both sides 8-9 ms of CPU as faults and 4-5 ms populated.
    (void)::madvise(m_memory, k_shared_windows_size,
                    m_access == Access::read ? MADV_POPULATE_READ : MADV_POPULATE_WRITE);
}

SharedWindows::~SharedWindows() {
    if (m_memory != nullptr) {
        ::munmap(m_memory, k_shared_windows_size);
    }
}

} // namespace supportdrop::inspector
