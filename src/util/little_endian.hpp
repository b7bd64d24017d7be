#pragma once
// Little-endian integers in byte strings: the inspector channel's fields, ZIP's records.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace supportdrop::util {

// The unsigned integer stored little-endian in `bytes` (at most 8 of them).
inline std::uint64_t load_little_endian(std::span<const std::uint8_t> bytes) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes.size() && i < 8; ++i) {
        value |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
    }
    return value;
}

// Appends the low `size` bytes of `value`, least significant first.
inline void append_little_endian(std::vector<std::uint8_t>& bytes, std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        bytes.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }
}

} // namespace supportdrop::util
