#pragma once
// Fixed-size secret bytes that are wiped when they go out of scope.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace supportdrop::crypto {

// Overwrites memory in a way the compiler cannot elide.
void wipe(void* data, std::size_t size) noexcept;

template <std::size_t N>
class Secret {
public:
    Secret() = default;
    explicit Secret(std::span<const std::uint8_t, N> bytes) { std::copy(bytes.begin(), bytes.end(), m_bytes.begin()); }
    Secret(const Secret&) = default;
    Secret& operator=(const Secret&) = default;
    // Moving leaves the source wiped, so a secret exists in one place only.
    Secret(Secret&& other) noexcept : m_bytes(other.m_bytes) { wipe(other.m_bytes.data(), N); }
    Secret& operator=(Secret&& other) noexcept {
        m_bytes = other.m_bytes;
        wipe(other.m_bytes.data(), N);
        return *this;
    }
    ~Secret() { wipe(m_bytes.data(), N); }

    std::span<std::uint8_t, N> bytes() { return m_bytes; }
    std::span<const std::uint8_t, N> bytes() const { return m_bytes; }

private:
    std::array<std::uint8_t, N> m_bytes{};
};

} // namespace supportdrop::crypto
