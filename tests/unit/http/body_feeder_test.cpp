#include "http/body_feeder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace supportdrop::http {
namespace {

using namespace std::chrono_literals;

struct FakeRefusal {
    std::size_t after_bytes = 0;
};

// Records what it is fed and, with a hash queue, "hashes" it there slowly: it copies the bytes
// only after a pause, so that a buffer given back before its hashing ran would be overwritten by
// then. Refuses once it has taken `refuse_after` bytes.
class RecordingReceiver {
public:
    std::optional<FakeRefusal> feed(std::span<const std::uint8_t> data) {
        EXPECT_FALSE(m_feeding.exchange(true)) << "two feeds at once";
        ++feeds;
        fed.append(reinterpret_cast<const char*>(data.data()), data.size());
        if (hash_queue) {
            hash_queue([this, data] {
                std::this_thread::sleep_for(1ms);
                const std::scoped_lock lock(m_mutex);
                m_hashed.append(reinterpret_cast<const char*>(data.data()), data.size());
            });
        }
        m_feeding = false;
        if (fed.size() >= refuse_after) {
            return FakeRefusal{fed.size()};
        }
        return std::nullopt;
    }

    std::string hashed_so_far() {
        const std::scoped_lock lock(m_mutex);
        return m_hashed;
    }

    pipeline::HashQueue hash_queue;
    std::size_t refuse_after = std::numeric_limits<std::size_t>::max();
    std::size_t feeds = 0;
    std::string fed;

private:
    std::atomic<bool> m_feeding{false};
    std::mutex m_mutex;
    std::string m_hashed;
};

struct FeedOutcome {
    std::optional<FakeRefusal> refusal;
    std::size_t submitted = 0;    // bytes handed to the feeder
    bool stopped_reading = false; // next_buffer() came back empty
};

// Runs `use(feeder)`, a coroutine, with a feeder of `sizing` for `receiver` on an io_context of
// its own and a pool of `threads` workers, until it and all the work it caused are done.
template <class Use>
void with_feeder(BodyBuffers sizing, std::size_t threads, RecordingReceiver& receiver, const Use& use) {
    asio::io_context io;
    asio::thread_pool workers(threads);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            BodyFeeder<RecordingReceiver> feeder(co_await asio::this_coro::executor, workers, sizing);
            receiver.hash_queue = feeder.hash_queue();
            co_await use(feeder);
        },
        asio::detached);
    io.run();
    workers.join();
    receiver.hash_queue = {}; // it holds a strand of `workers`, which must not outlive them
}

// Reads `body` into the feeder's buffers in reads of at most `read_size` bytes, the way the
// connection does, with a pool of two workers.
FeedOutcome feed_body(const std::string& body, BodyBuffers sizing, RecordingReceiver& receiver, std::size_t read_size) {
    FeedOutcome outcome;
    with_feeder(sizing, 2, receiver, [&](BodyFeeder<RecordingReceiver>& feeder) -> asio::awaitable<void> {
        std::size_t at = 0;
        while (at < body.size()) {
            const std::span<std::uint8_t> chunk = co_await feeder.next_buffer();
            if (chunk.empty()) {
                outcome.stopped_reading = true;
                break;
            }
            std::size_t filled = 0;
            while (filled < chunk.size() && at < body.size()) {
                const std::size_t n = std::min({read_size, chunk.size() - filled, body.size() - at});
                std::memcpy(chunk.data() + filled, body.data() + at, n);
                filled += n;
                at += n;
            }
            feeder.submit(receiver, filled);
            outcome.submitted += filled;
        }
        outcome.refusal = co_await feeder.drain();
    });
    return outcome;
}

std::string random_body(std::size_t size) {
    std::mt19937 generator(42);
    std::string body(size, '\0');
    for (char& c : body) {
        c = static_cast<char>(generator());
    }
    return body;
}

TEST(BodyFeeder, FeedsEveryByteInOrderWithOneBufferOrMore) {
    const std::string body = random_body(100'000);
    for (const BodyBuffers sizing :
         {BodyBuffers{4096, 1, false}, BodyBuffers{4096, 2, false}, BodyBuffers{1000, 3, false}}) {
        RecordingReceiver receiver;
        const FeedOutcome outcome = feed_body(body, sizing, receiver, 777);
        EXPECT_FALSE(outcome.refusal);
        EXPECT_TRUE(receiver.fed == body) << sizing.count << " buffers"; // not EXPECT_EQ: no 100 KB diff
        EXPECT_EQ(receiver.feeds, (body.size() + sizing.size - 1) / sizing.size);
        EXPECT_FALSE(receiver.hash_queue) << "no hash queue without hash_beside";
    }
}

TEST(BodyFeeder, ABufferComesBackOnlyOnceItsHashingHasRun) {
    const std::string body = random_body(64 * 1024);
    RecordingReceiver receiver;
    const FeedOutcome outcome = feed_body(body, BodyBuffers{4096, 2, true}, receiver, 4096);
    EXPECT_FALSE(outcome.refusal);
    EXPECT_TRUE(receiver.fed == body);
    // Every buffer was refilled after it came back; had one come back before its (slow) hashing,
    // the hashing would have copied the next bytes instead.
    EXPECT_TRUE(receiver.hashed_so_far() == body);
}

TEST(BodyFeeder, ARefusalStopsTheFeedingAndTheReading) {
    const std::string body = random_body(100'000);
    for (const BodyBuffers sizing : {BodyBuffers{4096, 1, false}, BodyBuffers{4096, 2, true}}) {
        RecordingReceiver receiver;
        receiver.refuse_after = 10'000;
        const FeedOutcome outcome = feed_body(body, sizing, receiver, 4096);
        ASSERT_TRUE(outcome.refusal) << sizing.count << " buffers";
        EXPECT_EQ(outcome.refusal->after_bytes, 12'288u); // the third buffer of 4 KiB
        EXPECT_EQ(receiver.feeds, 3u);                    // nothing fed after the refusal
        EXPECT_TRUE(receiver.fed == body.substr(0, 12'288));
        EXPECT_TRUE(outcome.stopped_reading);
        // At most the other buffers were read past the refused one.
        EXPECT_LE(outcome.submitted, 12'288u + (sizing.count - 1) * 4096);
    }
}

TEST(BodyFeeder, ShrunkBuffersCarryOnWithEveryByteInOrder) {
    // Two buffers of 16 KiB with hashing beside, shrunk to 4 KiB in the middle of the body: the
    // shrinking waits for the buffers in flight (and their hashing), the rest comes in 4 KiB.
    const std::string body = random_body(100'000);
    RecordingReceiver receiver;
    std::vector<std::size_t> sizes;
    with_feeder({16384, 2, true}, 2, receiver, [&](BodyFeeder<RecordingReceiver>& feeder) -> asio::awaitable<void> {
        std::size_t at = 0;
        while (at < body.size()) {
            if (at == 5 * 16384) {
                co_await feeder.shrink_buffers(4096);
                EXPECT_TRUE(receiver.hashed_so_far() == body.substr(0, at));
                co_await feeder.shrink_buffers(65536); // never grows
            }
            const std::span<std::uint8_t> chunk = co_await feeder.next_buffer();
            sizes.push_back(chunk.size());
            const std::size_t n = std::min(chunk.size(), body.size() - at);
            std::memcpy(chunk.data(), body.data() + at, n);
            feeder.submit(receiver, n);
            at += n;
        }
        EXPECT_FALSE(co_await feeder.drain());
    });
    EXPECT_TRUE(receiver.fed == body);
    EXPECT_TRUE(receiver.hashed_so_far() == body);
    ASSERT_EQ(sizes.size(), 5u + (body.size() - 5 * 16384 + 4095) / 4096);
    EXPECT_TRUE(std::all_of(sizes.begin(), sizes.begin() + 5, [](std::size_t size) { return size == 16384; }));
    EXPECT_TRUE(std::all_of(sizes.begin() + 5, sizes.end(), [](std::size_t size) { return size == 4096; }));
}

TEST(BodyFeeder, AnEmptyBufferIsFreeAgainAtOnce) {
    RecordingReceiver receiver;
    with_feeder({16, 1, false}, 1, receiver, [&](BodyFeeder<RecordingReceiver>& feeder) -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
            const std::span<std::uint8_t> chunk = co_await feeder.next_buffer();
            EXPECT_EQ(chunk.size(), 16u);
            feeder.submit(receiver, 0);
        }
        EXPECT_FALSE(co_await feeder.drain());
    });
    EXPECT_EQ(receiver.feeds, 0u);
}

TEST(BodyBuffers, FewUploadsGetTwoLargeBuffersManyShareASmallBudget) {
    const auto expect_buffers = [](unsigned uploads_in_flight, std::size_t size, std::size_t count, bool hash_beside,
                                   std::size_t write_batch) {
        const BodyBuffers buffers = body_buffers(uploads_in_flight);
        EXPECT_EQ(buffers.size, size) << uploads_in_flight << " in flight";
        EXPECT_EQ(buffers.count, count) << uploads_in_flight << " in flight";
        EXPECT_EQ(buffers.hash_beside, hash_beside) << uploads_in_flight << " in flight";
        EXPECT_EQ(buffers.write_batch, write_batch) << uploads_in_flight << " in flight";
    };
    expect_buffers(0, 1024 * 1024, 2, true, 1024 * 1024);
    expect_buffers(1, 1024 * 1024, 2, true, 1024 * 1024);
    expect_buffers(2, 512 * 1024, 2, true, 0);
    expect_buffers(3, 256 * 1024, 2, true, 0);
    expect_buffers(4, 256 * 1024, 2, true, 0);
    expect_buffers(5, 256 * 1024, 1, false, 0);
    expect_buffers(1000, 256 * 1024, 1, false, 0);
    // Each upload keeps the buffers it got at admission, when `k` uploads were in flight.
    const auto held_by = [](unsigned uploads) {
        std::size_t bytes = 0;
        for (unsigned k = 1; k <= uploads; ++k) {
            bytes += body_buffers(k).size * body_buffers(k).count + body_buffers(k).write_batch;
        }
        return bytes;
    };
    EXPECT_EQ(held_by(32), std::size_t{12} * 1024 * 1024);
    EXPECT_EQ(held_by(64), std::size_t{20} * 1024 * 1024);
}

TEST(LiveInspection, OnlyALargeUploadThatStartsAloneIsInspectedWhileItArrives) {
    constexpr std::uint64_t k_mib = 1024 * 1024;
    EXPECT_TRUE(inspect_while_arriving(1, 16 * k_mib));
    EXPECT_TRUE(inspect_while_arriving(1, 50 * k_mib));
    EXPECT_FALSE(inspect_while_arriving(2, 50 * k_mib)); // another one is in flight
    EXPECT_FALSE(inspect_while_arriving(1, 16 * k_mib - 1));
    EXPECT_FALSE(inspect_while_arriving(1, std::nullopt)); // chunked: its size is not announced
}

TEST(BodyBuffersTest, OnlyALargeUploadThatStartsAloneHasItsBuffersMappedWhole) {
    constexpr std::uint64_t k_mib = 1024 * 1024;
    EXPECT_TRUE(populate_buffers(1, 50 * k_mib));
    EXPECT_FALSE(populate_buffers(1, 30 * 1024)); // a few KiB in 3 MiB of buffers
    EXPECT_FALSE(populate_buffers(1, std::nullopt));
    EXPECT_FALSE(populate_buffers(5, 50 * k_mib)); // one of many: one buffer, filled once or twice
}

} // namespace
} // namespace supportdrop::http
