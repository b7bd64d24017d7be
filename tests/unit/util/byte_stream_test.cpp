#include "util/byte_stream.hpp"

#include <gtest/gtest.h>

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

} // namespace
} // namespace supportdrop::util
