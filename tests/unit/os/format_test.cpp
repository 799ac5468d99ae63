#include "kernel/format.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using os::kernel::FormatBuffer;

TEST(Formatter, NumbersAndText) {
    FormatBuffer<128> f;
    f.str("x=").dec(-42).chr(' ').udec(0).chr(' ').hex(0xbeef).chr(' ').hex(0x1f, 4).chr(' ').dec(INT64_MIN);
    EXPECT_EQ(f.view(), "x=-42 0 0xbeef 0x001f -9223372036854775808");
    f.clear();
    f.udec_width(7, 3).hex(~std::uint64_t{0}, 16);
    EXPECT_EQ(f.view(), "  70xffffffffffffffff");
}

TEST(Formatter, TruncatesInsteadOfOverflowing) {
    FormatBuffer<4> f;
    f.str("abcdef");
    EXPECT_EQ(f.view(), "abcd");
    EXPECT_TRUE(f.truncated());
}

} // namespace
