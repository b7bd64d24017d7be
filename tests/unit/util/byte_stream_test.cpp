#include "util/byte_stream.hpp"
#include "util/little_endian.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <unistd.h>

namespace supportdrop::util {
namespace {

// Hands out at most `step` bytes per read, as pipes and sockets do.
class TrickleSource final : public ByteSource {
public:
    TrickleSource(std::span<const std::uint8_t> data, std::size_t step) : m_inner(data), m_step(step) {}
    Result<std::size_t> read(std::span<std::uint8_t> out) override {
        return m_inner.read(out.first(std::min(out.size(), m_step)));
    }

private:
    SpanSource m_inner;
    std::size_t m_step;
};

TEST(ByteStream, ReadFullCollectsShortReads) {
    const std::vector<std::uint8_t> data = {1, 2, 3, 4, 5, 6, 7};
    TrickleSource source(data, 2);
    std::vector<std::uint8_t> out(5);
    ASSERT_EQ(read_full(source, out).value(), 5u);
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
    ASSERT_EQ(read_full(source, out).value(), 2u);
    ASSERT_EQ(read_full(source, out).value(), 0u);
}

TEST(ByteStream, PrefixedSourceYieldsPrefixThenRest) {
    const std::vector<std::uint8_t> rest = {4, 5};
    SpanSource inner(rest);
    PrefixedSource source({1, 2, 3}, inner);
    std::vector<std::uint8_t> out(10);
    ASSERT_EQ(read_full(source, out).value(), 5u);
    out.resize(5);
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
}

TEST(ByteStream, FdSourceReportsSystemErrors) {
    FdSource source(-1);
    std::vector<std::uint8_t> out(4);
    auto n = source.read(out);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().value(), EBADF);
}

TEST(ByteStream, ReadExactlyAtFailsShortOfTheEnd) {
    FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    ASSERT_GE(std::fputs("0123456789", file), 0);
    ASSERT_EQ(std::fflush(file), 0);
    FdRandomAccessSource source(::fileno(file));
    std::array<std::uint8_t, 4> four{};
    EXPECT_TRUE(read_exactly_at(source, 6, four));
    EXPECT_EQ(four[3], '9');
    EXPECT_FALSE(read_exactly_at(source, 7, four));
    EXPECT_FALSE(read_exactly_at(source, 100, four));
    FdRandomAccessSource closed(-1);
    EXPECT_FALSE(read_exactly_at(closed, 0, four));
    (void)std::fclose(file);
}

TEST(LittleEndian, RoundTripsAndReadsAtMostEightBytes) {
    std::vector<std::uint8_t> bytes;
    append_little_endian(bytes, 0x0102030405060708, 8);
    append_little_endian(bytes, 0xABCD, 2);
    ASSERT_EQ(bytes.size(), 10u);
    EXPECT_EQ(bytes.front(), 0x08);
    EXPECT_EQ(load_little_endian(std::span(bytes).first(8)), 0x0102030405060708u);
    EXPECT_EQ(load_little_endian(std::span(bytes).subspan(8)), 0xABCDu);
    EXPECT_EQ(load_little_endian(bytes), 0x0102030405060708u); // the first eight
    EXPECT_EQ(load_little_endian({}), 0u);
}

} // namespace
} // namespace supportdrop::util
