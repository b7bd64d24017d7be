#pragma once
// The inspector process's view of the upload: plaintext read from the receiver through the
// channel (channel.hpp), in aligned windows of the shared memory that are kept for a while.
// libarchive seeks to every entry of a ZIP, and most of those seeks land in a window already
// here. Once reading goes forward from one window into the next, the following ones are asked
// for at once, so that the receiver reads and decrypts them while this process parses: for
// sequential reading (tar, gzip) the two work in parallel. A seek (a ZIP's directory at the end,
// then its entries at the start) asks for just the window it lands in: reading ahead there would
// decrypt and send windows nobody reads. A window is chosen when it is requested, since the
// receiver fills it then. While the upload is still arriving, the size is not known: reading
// ahead then goes as far as the windows allow, so that the receiver can hand over a whole
// network buffer at once, and the end of the upload shows as a window that is not filled.

#include "inspector/channel.hpp"
#include "util/byte_stream.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>

namespace supportdrop::inspector {

class ChannelSource final : public util::RandomAccessSource {
public:
    // Reads an upload of `size` bytes (k_size_arriving: not yet known) through `channel`, whose
    // replies land in `windows`.
    ChannelSource(Channel& channel, SharedWindows windows, std::uint64_t size);

    // While the upload arrives, asks the receiver, whose answer waits for its end.
    util::Result<std::uint64_t> size() override;

    // Fails with the channel's error, or Errc::protocol_error for a reply that is no data reply.
    util::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::uint8_t> out) override;

    // Takes the replies to windows asked for ahead, if any are on their way: the receiver may be
    // blocked writing one, and would not read the report meanwhile.
    util::Result<void> settle();

    // Windows in flight beyond the one in use, for a complete upload and for one arriving. Two
    // keep a tar.gz's inspection as fast as four did (a 50 MiB one: 176-185 against 177 ms, best
    // of five, twice), and four inspections at once touch 1 MiB less shared memory: 32 tar.gz
    // uploads of 5 MiB at once over HTTPS peaked at 31.5 instead of 32.7 MiB, for the same CPU.
    static constexpr std::uint64_t k_read_ahead = 2;
    static constexpr std::uint64_t k_read_ahead_arriving = k_windows - 2;

private:
    static_assert(k_windows >= k_read_ahead + 2, "a slot for the window in use and one to request into");
    static constexpr std::uint64_t k_none = UINT64_MAX;

    struct Window {
        std::uint64_t index = k_none; // which window of the upload it holds, or is to hold
        std::uint64_t last_use = 0;
        std::size_t size = 0;
        bool in_flight = false;
    };

    // The windows this source uses: those read ahead, the one in use and one to request into.
    std::size_t slots() const { return m_read_ahead + 2; }
    std::optional<std::size_t> slot_of(std::uint64_t index, bool in_flight) const;
    util::Result<void> request(std::uint64_t index);
    util::Result<void> receive();
    util::Result<std::size_t> fetch(std::uint64_t index);

    Channel* m_channel;
    SharedWindows m_shared;
    std::uint64_t m_size;       // or k_size_arriving until known
    std::uint64_t m_read_ahead; // k_read_ahead or k_read_ahead_arriving
    std::uint64_t m_clock = 0;
    std::uint64_t m_previous = k_none;   // the window fetched last
    std::deque<std::size_t> m_in_flight; // slots requested but not yet filled, in order
    std::array<Window, k_windows> m_windows;
};

} // namespace supportdrop::inspector
