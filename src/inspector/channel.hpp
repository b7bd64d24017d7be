#pragma once
// The byte protocol between the receiver and the sandboxed inspector process, over a Unix
// stream socket. Every message is a type byte, a little-endian 32-bit length and the payload:
//
//   receiver → inspector   job      upload size (or k_size_arriving) and limits (once, first)
//   inspector → receiver   read     offset (u64), length (u32) and window (u32): "put these
//                                   bytes into that window"
//   receiver → inspector   data     how many bytes it put there (u32; fewer only at the end of
//                                   the upload), in the order of the requests
//   inspector → receiver   ask_size "how large is the upload?" (no payload), only when the job
//                                   did not say: the upload was still arriving
//   receiver → inspector   size     the upload's size (u64), once it is complete, in the order
//                                   of the requests
//   inspector → receiver   report   the InspectionReport as JSON (last)
//
// While an upload arrives, the receiver fills the windows asked for with its bytes as they come
// (a live inspection, for gzip: decompressing all of it is the costly part); what it could not
// hand over then, it reads back from the sealed upload once the upload is complete.
//
// The bytes themselves travel through shared memory, not the socket: a memory file of k_windows
// windows of k_window_size bytes, which each side maps (SharedWindows). Through the socket every
// byte was copied twice and every 32 KiB woke the other side up. The receiver only writes the
// windows and never reads them, so whatever the inspector does to them misleads nobody but
// itself. The inspector never sees a file or a key: it asks for plaintext by offset, and the
// receiver reads it back from the sealed upload.

#include "inspector/archive_lister.hpp"
#include "util/errors.hpp"
#include "util/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace supportdrop::inspector {

enum class MessageType : std::uint8_t { job = 1, read = 2, data = 3, report = 4, ask_size = 5, size = 6 };

struct Message {
    MessageType type{};
    std::unique_ptr<std::uint8_t[]> bytes; // not zeroed first: it is read into at once
    std::size_t size = 0;

    std::span<const std::uint8_t> payload() const { return {bytes.get(), size}; }
};

// The upload size of a job whose upload is still arriving: ask for it (MessageType::ask_size).
inline constexpr std::uint64_t k_size_arriving = UINT64_MAX;

struct Job {
    std::uint64_t upload_size = 0; // or k_size_arriving
    InspectionLimits limits;
    std::uint64_t memory_limit_bytes = 0; // address space of the inspector process
    std::uint64_t cpu_limit_seconds = 0;
};

// An inspection of a complete upload uses a few of the windows (ChannelSource); a live one uses
// all of them, enough to take a network buffer of 1 MiB and the next while the inspector works
// through the last. A window's pages take memory only once they are written to.
inline constexpr std::size_t k_window_size = std::size_t{128} * 1024;
inline constexpr std::size_t k_windows = 20;
inline constexpr std::size_t k_shared_windows_size = k_window_size * k_windows;

struct ReadRequest {
    std::uint64_t offset = 0;
    std::uint32_t length = 0; // at most k_window_size
    std::uint32_t window = 0; // below k_windows
};

// The shared windows, mapped from their memory file (its size k_shared_windows_size); unmapped
// when this goes. The receiver maps them for writing, the inspector for reading.
class SharedWindows {
public:
    enum class Access { read, write };

    // A fresh memory file of k_shared_windows_size bytes for one worker: nothing of another
    // upload is ever in it. Empty if the system refused.
    static util::UniqueFd create_file();
    static util::Result<SharedWindows> map(int memory_file, Access access);
    SharedWindows(SharedWindows&& other) noexcept;
    SharedWindows& operator=(SharedWindows&&) = delete;
    SharedWindows(const SharedWindows&) = delete;
    SharedWindows& operator=(const SharedWindows&) = delete;
    ~SharedWindows();

    std::span<std::uint8_t> window(std::size_t index) const {
        return {m_memory + index * k_window_size, k_window_size};
    }

    // Maps all the pages now, in one call, where each would otherwise cost a page fault when it
    // is first used: for a live inspection, which uses every window. Best effort (a kernel
    // before 5.14 cannot; then the pages come as they are used).
    void populate() const;

private:
    SharedWindows(std::uint8_t* memory, Access access) : m_memory(memory), m_access(access) {}

    std::uint8_t* m_memory;
    Access m_access;
};

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// Waits until `fd` is ready for `events` (poll(2) flags); Errc::timed_out at the deadline. No
// deadline: returns at once, and the caller's call blocks.
util::Result<void> wait_until_ready(int fd, short events, Deadline deadline);

// One end of the socket, which it does not own. With a deadline, each call waits at most until
// then (Errc::timed_out); without, it blocks. Fails with Errc::protocol_error for a message that
// is longer than `max_length` or ends early. Not thread-safe.
class Channel {
public:
    explicit Channel(int fd, Deadline deadline = std::nullopt) : m_fd(fd), m_deadline(deadline) {}

    util::Result<void> send(MessageType type, std::span<const std::uint8_t> payload);
    util::Result<Message> receive(std::size_t max_length);

private:
    bool past_deadline() const;
    util::Result<void> write_all(std::span<const std::uint8_t> bytes);
    util::Result<void> read_exact(std::span<std::uint8_t> bytes);

    int m_fd;
    Deadline m_deadline;
};

// What a worker asks of the receiver: bytes into a window (`read`), or the upload's size.
struct WorkerRequest {
    MessageType type{}; // read or ask_size
    ReadRequest read;   // for read
};

// A worker's message as a request: none for its report, Errc::protocol_error for any other
// message or a malformed one.
util::Result<std::optional<WorkerRequest>> decode_request(const Message& message);

std::vector<std::uint8_t> encode_job(const Job& job);
std::optional<Job> decode_job(std::span<const std::uint8_t> payload);
std::vector<std::uint8_t> encode_read(const ReadRequest& request);
std::optional<ReadRequest> decode_read(std::span<const std::uint8_t> payload); // in bounds, or none
std::vector<std::uint8_t> encode_data(std::uint32_t filled);
std::optional<std::uint32_t> decode_data(std::span<const std::uint8_t> payload); // at most k_window_size
std::vector<std::uint8_t> encode_size(std::uint64_t size);
std::optional<std::uint64_t> decode_size(std::span<const std::uint8_t> payload); // below k_size_arriving

} // namespace supportdrop::inspector
