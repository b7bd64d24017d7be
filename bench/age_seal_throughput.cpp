// Seals a payload held in memory and prints the best throughput of several runs, as
// "<bytes> <seconds> <MB/s>" (MB = 10^6 bytes, the unit of `openssl speed`).
// Usage: age_seal_throughput [BYTES [ROUNDS [WRITE_SIZE [keep|count]]]]

#include "age/encryptor.hpp"

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

} // namespace

int main(int argc, char** argv) {
    const std::size_t size = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 50u * 1024 * 1024;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
    // Slices as the upload pipeline will push them: network-buffer sized.
    const std::size_t k_write_size = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 16 * 1024;

    using namespace supportdrop;
    const auto identity = age::X25519Identity::generate().value();
    std::vector<std::uint8_t> plaintext(size, 0x5a);
    const bool keep = argc > 4 && std::string_view(argv[4]) == "keep";
    MemorySink sink(size + size / 1000 + 4096, keep);

    double best = 1e9;
    for (int round = 0; round < rounds; ++round) {
        sink.reset();
        const auto start = std::chrono::steady_clock::now();
        auto encryptor = age::Encryptor::start(std::span(&identity.recipient(), 1), sink).value();
        for (std::size_t offset = 0; offset < size; offset += k_write_size) {
            if (!encryptor.write(std::span(plaintext).subspan(offset, std::min(k_write_size, size - offset)))) {
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
