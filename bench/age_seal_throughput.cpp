// Seals a payload held in memory and prints the best throughput of several runs, as
// "<bytes> <seconds> <MB/s>" (MB = 10^6 bytes, the unit of `openssl speed`).
// Usage: age_seal_throughput [BYTES [ROUNDS [WRITE_SIZE [received|count|keep|aead]]]]
//   received  the payload arrives as the upload pipeline and `supportdrop seal` get it: slice by
//             slice through one 256 KiB receive buffer that the socket or read() refills;
//   count     the payload streams from one buffer of BYTES in main memory;
//   keep      as count, and the ciphertext is also copied out into memory;
//   aead      as count, sealed with the bare AEAD instead, one 64 KiB message per age chunk: what
//             the cipher reaches at least with the payload streaming from main memory
//             (`openssl speed` encrypts one 16 KiB buffer again and again, in the L1 cache).

#include "age/encryptor.hpp"
#include "crypto/chacha20_poly1305.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

// Copies the ciphertext into a preallocated buffer (so allocation is not measured), or with
// `keep` false only counts it, as a sink that hands it to the kernel would.
class MemorySink final : public supportdrop::util::ByteSink {
public:
    MemorySink(std::size_t capacity, bool keep) : m_buffer(keep ? capacity : 0), m_keep(keep) {}
    supportdrop::util::Result<void> write(std::span<const std::uint8_t> data) override {
        if (m_keep) {
            if (m_used + data.size() > m_buffer.size()) {
                return supportdrop::util::ErrorCode(ENOSPC, boost::system::system_category());
            }
            std::copy(data.begin(), data.end(), m_buffer.begin() + static_cast<std::ptrdiff_t>(m_used));
        }
        m_used += data.size();
        return {};
    }
    void reset() { m_used = 0; }

private:
    std::vector<std::uint8_t> m_buffer;
    bool m_keep;
    std::size_t m_used = 0;
};

int seal_with_bare_aead(const std::vector<std::uint8_t>& plaintext, int rounds) {
    using namespace supportdrop;
    constexpr std::size_t k_chunk = 64 * 1024;
    const std::array<std::uint8_t, crypto::k_aead_key_size> key{1};
    auto aead = crypto::ChaCha20Poly1305::create(key, crypto::AeadDirection::seal).value();
    std::array<std::uint8_t, crypto::k_aead_nonce_size> nonce{};
    std::vector<std::uint8_t> sealed(k_chunk + crypto::k_aead_tag_size);
    double best = 1e9;
    for (int round = 0; round < rounds; ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t offset = 0; offset < plaintext.size(); offset += k_chunk) {
            nonce[0] = static_cast<std::uint8_t>(offset / k_chunk);
            const std::size_t n = std::min(k_chunk, plaintext.size() - offset);
            if (!aead.seal(nonce, std::span(plaintext).subspan(offset, n), sealed)) {
                std::fprintf(stderr, "seal failed\n");
                return 1;
            }
        }
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        best = std::min(best, elapsed.count());
    }
    std::printf("%zu %.6f %.1f\n", plaintext.size(), best, static_cast<double>(plaintext.size()) / best / 1e6);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t size = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 50u * 1024 * 1024;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
    // Slices as the upload pipeline will push them: network-buffer sized.
    const std::size_t k_write_size = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 16 * 1024;

    using namespace supportdrop;
    const auto identity = age::X25519Identity::generate().value();
    std::vector<std::uint8_t> plaintext(size, 0x5a);
    const std::string_view mode = argc > 4 ? argv[4] : "count";
    const bool keep = mode == "keep";
    // The receive buffer's size: larger than a socket read or a pipe's default, far smaller than
    // the caches, as in the pipeline.
    const std::size_t receive_buffer_size = mode == "received" ? 256 * 1024 : size;
    MemorySink sink(size + size / 1000 + 4096, keep);
    if (mode == "aead") {
        return seal_with_bare_aead(plaintext, rounds);
    }

    double best = 1e9;
    for (int round = 0; round < rounds; ++round) {
        sink.reset();
        const auto start = std::chrono::steady_clock::now();
        auto encryptor = age::Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
        for (std::size_t offset = 0, slice_size = 0; offset < size; offset += slice_size) {
            const std::size_t slice_start = offset % receive_buffer_size;
            slice_size = std::min({k_write_size, size - offset, receive_buffer_size - slice_start});
            if (!encryptor.write(std::span(plaintext).subspan(slice_start, slice_size))) {
                std::fprintf(stderr, "seal failed\n");
                return 1;
            }
        }
        if (!encryptor.finish()) {
            std::fprintf(stderr, "seal failed\n");
            return 1;
        }
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        best = std::min(best, elapsed.count());
    }
    std::printf("%zu %.6f %.1f\n", size, best, static_cast<double>(size) / best / 1e6);
    return 0;
}
