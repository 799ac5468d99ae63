#include "kernel/tsc_scale.hpp"

#include <gtest/gtest.h>

namespace {

using os::kernel::TscScale;

TEST(TscScale, ConvertsBothWaysWithoutOverflow) {
    const TscScale s(2'600'000'000);
    EXPECT_EQ(s.to_ns(2'600'000'000), 1'000'000'000u);
    EXPECT_EQ(s.from_ns(1'000'000'000), 2'600'000'000u);
    // Ten years of ticks do not overflow.
    const std::uint64_t ten_years = 2'600'000'000ull * 86400 * 3650;
    EXPECT_EQ(s.to_ns(ten_years), 1'000'000'000ull * 86400 * 3650);
    EXPECT_EQ(TscScale().to_ns(123), 0u);
}

TEST(TscScale, PvclockFrequency) {
    // mul = 2^32 * 10^9 / hz at shift 0: 2 GHz -> mul 2^31.
    EXPECT_EQ(os::kernel::pvclock_hz(0x80000000u, 0), 2'000'000'000u);
    // With shift -1 each tick is halved first: the clock is twice as fast.
    EXPECT_EQ(os::kernel::pvclock_hz(0x80000000u, -1), 4'000'000'000u);
    EXPECT_EQ(os::kernel::pvclock_hz(0x80000000u, 1), 1'000'000'000u);
    EXPECT_EQ(os::kernel::pvclock_hz(0, 0), 0u);
}

} // namespace
