#include "util/byte_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <sys/mman.h>
#include <vector>

namespace supportdrop::util {
namespace {

constexpr std::size_t k_page = 4096;

// How many of the whole pages within `buffer` are in memory.
std::size_t resident_pages(ByteBuffer& buffer) {
    const auto first = reinterpret_cast<std::uintptr_t>(buffer.data());
    const std::uintptr_t begin = (first + k_page - 1) & ~(k_page - 1);
    const std::uintptr_t end = (first + buffer.size()) & ~(k_page - 1);
    std::vector<unsigned char> residency((end - begin) / k_page);
    EXPECT_EQ(::mincore(reinterpret_cast<void*>(begin), end - begin, residency.data()), 0);
    return static_cast<std::size_t>(
        std::count_if(residency.begin(), residency.end(), [](unsigned char page) { return (page & 1) != 0; }));
}

TEST(ByteBuffer, StartsAtTheAlignmentAskedFor) {
    for (const std::size_t alignment : {std::size_t{16}, k_page}) {
        ByteBuffer buffer(std::size_t{1} << 20, alignment);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffer.data()) % alignment, 0u);
        EXPECT_EQ(buffer.size(), std::size_t{1} << 20);
    }
}

TEST(ByteBuffer, PopulatedAllItsWholePagesAreInMemory) {
    // At a page boundary and not, so that the partial pages at either end are left alone.
    for (const std::size_t alignment : {k_page, std::size_t{16}}) {
        ByteBuffer buffer((std::size_t{2} << 20) + 100, alignment);
        buffer.populate();
        const auto first = reinterpret_cast<std::uintptr_t>(buffer.data());
        const std::size_t whole =
            (((first + buffer.size()) & ~(k_page - 1)) - ((first + k_page - 1) & ~(k_page - 1))) / k_page;
        EXPECT_EQ(resident_pages(buffer), whole) << alignment;
        std::fill(buffer.begin(), buffer.end(), std::uint8_t{7});
        EXPECT_EQ(buffer.data()[buffer.size() - 1], 7);
    }
}

} // namespace
} // namespace supportdrop::util
