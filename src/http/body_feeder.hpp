#pragma once
// Feeds an upload's body to its receiver on the worker pool while the connection reads the next
// bytes, and decides how many buffers of what size an upload gets for that.
//
// The connection fills a buffer and submits it; the worker pool feeds the submitted buffers in
// order, one at a time (a strand), and gives each back once it is fed. While few uploads run, a
// second strand hashes what the first has sealed, buffer after buffer, and a buffer comes back
// once it is hashed too. A strand that finds its next piece of work already waiting goes on with
// it, so as long as reading keeps ahead, a buffer costs no hand-off between threads: on this kind
// of VM waking a sleeping thread takes 0.2-0.4 ms, and an upload whose buffer went to the pool
// and back, and whose hashing was handed over and awaited, once per buffer was idle a third of
// its time (one 50 MiB upload on 2 cores, median of ten: 88-96 ms before, 72-76 ms after).
// With one buffer (from the fifth upload in flight on) there is nothing to overlap: the buffer
// is fed when the connection wants it back, in one awaited hand-off.
// Template over the receiver (UploadReceiver; a fake in the tests), like body_source.hpp over
// the stream.

#include "http/run_on.hpp"
#include "pipeline/upload_session.hpp"
#include "util/byte_buffer.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace supportdrop::http {

namespace asio = boost::asio;

// The read buffer of a refused body being drained, and the unit of the body buffers' sizes.
inline constexpr std::size_t k_body_buffer_size = std::size_t{128} * 1024;

// Up to this many uploads in flight, each may spend memory and threads to finish sooner.
inline constexpr unsigned k_few_uploads = 4;

// The buffers an upload's body is read into, and how much of it is sealed before it is written.
struct BodyBuffers {
    std::size_t size = 0;
    std::size_t count = 0;       // 1: fill, then feed; more: the next ones fill while the pool seals
    bool hash_beside = false;    // a second strand hashes what the first has sealed
    std::size_t write_batch = 0; // bytes sealed and written at once (pipeline::SessionOptions)
    bool populated = false;      // mapped whole when made (populate_buffers)
};

// Every buffer costs the pool work of its own (0.13 ms of CPU per hand-off when each woke a
// thread: 107 instead of 133 ms of server CPU for a 50 MiB upload with 256 instead of 128 KiB,
// 103 with 512 KiB, 89-92 with 1 MiB). So an upload that starts alone gets two buffers of 1 MiB
// (three or four, or four to eight smaller ones, were no faster), the second at once two of
// 512 KiB, the third and fourth two of 256 KiB; all of them hash beside sealing. The one alone
// also writes what it sealed 1 MiB at a time, in a buffer of its own (one 50 MiB upload on ext4:
// 8-14% less CPU, 7-10% less time than 64 KiB at a time, 5% less CPU and 6% less time than the
// 256 KiB of a work thread's workspace that the others use, where memory counts). From the fifth
// on the pool is busy with the others anyway, and an upload's next bytes can wait in its socket
// while its one buffer of 256 KiB is sealed and hashed: as much memory as two of 128 KiB, half
// the hand-offs (32 uploads of 5 MiB at once: 1-4% less CPU). 32 uploads are admitted with at
// most 12 MiB of buffers and batches, 64 with at most 20 MiB; the first four shrink theirs to
// 256 KiB once more than four are in flight (connection.hpp).
constexpr BodyBuffers body_buffers(unsigned uploads_in_flight) {
    if (uploads_in_flight <= k_few_uploads) {
        const std::size_t size = 8 * k_body_buffer_size / std::bit_ceil(std::max(uploads_in_flight, 1u));
        return {size, 2, true, uploads_in_flight <= 1 ? size : 0};
    }
    return {2 * k_body_buffer_size, 1, false, 0};
}

// How an upload's archive is written (pipeline::SessionOptions). Past the page cache the
// receiver spends less CPU (32 uploads of 5 MiB at once: 7-8% less, in the same time), but each
// write of sealed chunks waits for the disk: a 50 MiB upload alone took 84-97 instead of 72 ms,
// its sealing strand waiting while the next bytes arrived. Among many uploads another one uses
// the CPU meanwhile (the work threads are twice the cores for that, config::thread_counts). The
// session keeps a gzip in the page cache anyway: its inspection reads all of it back.
constexpr storage::Caching archive_caching(unsigned uploads_in_flight) {
    return uploads_in_flight > k_few_uploads ? storage::Caching::bypass : storage::Caching::keep;
}

// Whether a gzip upload is inspected while it arrives (pipeline::SessionOptions): one that starts
// alone and announces at least 16 MiB. Its inspection then costs a sixth less CPU and ends with
// its last byte (one 50 MiB tar.gz: 101-102 instead of 122-127 ms of server CPU, 83-97 instead of
// 102-145 ms). A smaller one is decompressed in a few milliseconds after its last byte, and a live
// inspection holds a process and up to 2.5 MiB of windows for the upload's whole time, which
// many uploads at once cannot afford (32 of 5 MiB: 1.7 MiB more peak memory with the first live).
constexpr bool inspect_while_arriving(unsigned uploads_in_flight, std::optional<std::uint64_t> content_length) {
    constexpr std::uint64_t k_minimum_length = std::uint64_t{16} << 20;
    return uploads_in_flight <= 1 && content_length.value_or(0) >= k_minimum_length;
}

// Whether an upload's body buffers and sealing batch are mapped whole when they are made
// (util::ByteBuffer::populate) rather than page by page as the bytes first reach them: for the
// same uploads as inspect_while_arriving, which fill their 3 MiB many times over (one 50 MiB
// upload on a VM whose page faults cost ~16 us: server-side 89.5 instead of 91.5 ms for a ZIP,
// 104 instead of 108 for a tar.gz, and less CPU; medians of ten interleaved uploads). A small one
// would map all of it for a few KiB.
constexpr bool populate_buffers(unsigned uploads_in_flight, std::optional<std::uint64_t> content_length) {
    return inspect_while_arriving(uploads_in_flight, content_length);
}

// Receiver: `std::optional<R> feed(std::span<const std::uint8_t>)`, called on one worker at a
// time; a returned R (a refusal) ends the feeding.
template <class Receiver>
class BodyFeeder {
public:
    using Refusal =
        typename std::invoke_result_t<decltype(&Receiver::feed), Receiver&, std::span<const std::uint8_t>>::value_type;

    // The buffers as `sizing` says (not zeroed: their pages are touched only as bytes arrive);
    // the connection's `executor` resumes it when a buffer comes back.
    BodyFeeder(const asio::any_io_executor& executor, asio::thread_pool& workers, BodyBuffers sizing)
        : m_workers(&workers), m_feeding(asio::make_strand(workers)),
          m_returned(std::make_shared<Returned>(executor, sizing.count)) {
        if (sizing.hash_beside) {
            m_hashing.emplace(asio::make_strand(workers));
        }
        for (std::size_t i = 0; i < sizing.count; ++i) {
            m_buffers.emplace_back(sizing.size);
            if (sizing.populated) {
                m_buffers.back().populate();
            }
            m_free.push_back(i);
        }
    }
    BodyFeeder(const BodyFeeder&) = delete;
    BodyFeeder& operator=(const BodyFeeder&) = delete;
    // drain() must have returned before: feeds in flight refer to the feeder and its buffers.
    ~BodyFeeder() = default;

    // Where the receiver's upload session hashes (pipeline::UploadSession::start): the second
    // strand, or none (the session hashes as it seals).
    pipeline::HashQueue hash_queue() const {
        if (!m_hashing) {
            return {};
        }
        return [strand = *m_hashing](std::function<void()> work) { asio::post(strand, std::move(work)); };
    }

    // A buffer to fill: a free one, or else the next one to come back. Empty once a feed was
    // refused: then stop reading and drain(). Each buffer is submitted before the next is asked for.
    asio::awaitable<std::span<std::uint8_t>> next_buffer() {
        co_await feed_held();
        // Buffers that came back meanwhile first, so that a refusal is seen as early as possible.
        while (m_in_flight > 0 && m_returned->ready()) {
            co_await take_returned();
        }
        if (m_free.empty() && m_in_flight > 0 && !m_refused) {
            co_await take_returned();
        }
        if (m_refused || m_free.empty()) {
            co_return std::span<std::uint8_t>{};
        }
        m_filling = m_free.back();
        m_free.pop_back();
        co_return std::span<std::uint8_t>(m_buffers[m_filling]);
    }

    // Hands the first `size` bytes of the buffer that next_buffer() returned last to `receiver`
    // on the worker pool (none: the buffer is free again at once). `receiver` must outlive the
    // feeder, and be the same each time.
    void submit(Receiver& receiver, std::size_t size) {
        if (size == 0) {
            m_free.push_back(m_filling);
            return;
        }
        if (m_buffers.size() == 1) {
            m_held = {&receiver, size};
            return;
        }
        ++m_in_flight;
        asio::post(m_feeding, [this, &receiver, index = m_filling, data = std::span(m_buffers[m_filling]).first(size)] {
            // On the strand: m_stopped and m_refusal are touched by one feed at a time, and the
            // connection reads m_refusal only after every buffer has come back (drain()).
            if (!m_stopped) {
                m_refusal = receiver.feed(data);
                m_stopped = m_refusal.has_value();
            }
            // Once the last buffer is back, the connection may go on and destroy the feeder while
            // this thread is still inside try_send(): from here on, nothing of the feeder is
            // touched but what these copies keep alive (the channel, the hashing strand).
            const auto give_back = [returned = m_returned, index, refused = m_stopped] {
                // Never fails: the channel holds as many messages as there are buffers.
                returned->try_send(boost::system::error_code{}, index, refused);
            };
            // The hashing of this buffer was queued on the hashing strand by the feed: what is
            // queued after it runs after it.
            if (std::optional<Strand> hashing = m_hashing) {
                asio::post(*hashing, give_back);
            } else {
                give_back();
            }
        });
    }

    // Waits until every submitted buffer has come back, then makes each of them `size` bytes if
    // it is larger: for an upload that began among few and now is one of many. Call it between
    // submit() and next_buffer(); the receiver is not fed meanwhile.
    asio::awaitable<void> shrink_buffers(std::size_t size) {
        co_await feed_held();
        while (m_in_flight > 0) {
            co_await take_returned();
        }
        for (util::ByteBuffer& buffer : m_buffers) {
            if (buffer.size() > size) {
                buffer = util::ByteBuffer(size);
            }
        }
    }

    // Waits until every submitted buffer has come back; call it before the receiver is used
    // again and before the feeder goes, on every path. The refusal that ended the feeding, if any.
    asio::awaitable<std::optional<Refusal>> drain() {
        co_await feed_held();
        while (m_in_flight > 0) {
            co_await take_returned();
        }
        co_return m_refusal;
    }

private:
    using Strand = asio::strand<asio::thread_pool::executor_type>;
    using Returned =
        asio::experimental::concurrent_channel<void(boost::system::error_code, std::size_t index, bool refused)>;

    // With one buffer there is nothing to overlap: the buffer is fed when it is wanted back, in
    // one awaited hand-off to the pool. (Through the strand and the channel, 32 uploads at once,
    // most of them with one buffer, took 2-6% more server CPU.) No feed is in flight meanwhile,
    // so m_refusal is the connection's here.
    asio::awaitable<void> feed_held() {
        if (m_held.receiver == nullptr) {
            co_return;
        }
        Receiver& receiver = *std::exchange(m_held.receiver, nullptr);
        const auto data = std::span<const std::uint8_t>(m_buffers[m_filling]).first(m_held.size);
        if (!m_refused) {
            m_refusal = co_await run_on(*m_workers, [&receiver, data] { return receiver.feed(data); });
            m_refused = m_refusal.has_value();
        }
        m_free.push_back(m_filling);
    }

    asio::awaitable<void> take_returned() {
        // The channel is never closed or cancelled: the error is never set.
        auto [error, index, refused] = co_await m_returned->async_receive(asio::as_tuple(asio::use_awaitable));
        --m_in_flight;
        m_free.push_back(index);
        m_refused = m_refused || refused;
    }

    struct Held {
        Receiver* receiver = nullptr;
        std::size_t size = 0;
    };

    asio::thread_pool* m_workers;
    Strand m_feeding;                // one feed at a time, in order
    std::optional<Strand> m_hashing; // the hashing of what was fed, in order
    std::vector<util::ByteBuffer> m_buffers;
    // The connection's side.
    std::vector<std::size_t> m_free; // buffers to fill
    std::size_t m_filling = 0;       // the buffer next_buffer() returned last
    std::size_t m_in_flight = 0;     // submitted, not yet back
    bool m_refused = false;          // a buffer came back refused
    Held m_held;                     // with one buffer: submitted, fed when the buffer is wanted
    // Buffers back from the pool, in the order they were fed; shared with the feeds in flight.
    std::shared_ptr<Returned> m_returned;
    // The feeds' side (on the feeding strand).
    bool m_stopped = false;
    std::optional<Refusal> m_refusal;
};

} // namespace supportdrop::http
