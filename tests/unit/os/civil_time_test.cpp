#include "kernel/civil_time.hpp"

#include <gtest/gtest.h>

namespace {

using namespace os::kernel;

TEST(CivilTime, UnixSeconds) {
    EXPECT_EQ(to_unix_seconds({1970, 1, 1, 0, 0, 0}), 0);
    EXPECT_EQ(to_unix_seconds({2000, 3, 1, 0, 0, 0}), 951868800);
    EXPECT_EQ(to_unix_seconds({2024, 2, 29, 12, 34, 56}), 1709210096);
    EXPECT_EQ(to_unix_seconds({2038, 1, 19, 3, 14, 8}), 2147483648);
    EXPECT_FALSE(to_unix_seconds({2024, 13, 1, 0, 0, 0}));
    EXPECT_FALSE(to_unix_seconds({2024, 1, 0, 0, 0, 0}));
    EXPECT_FALSE(to_unix_seconds({2024, 1, 1, 24, 0, 0}));
}

TEST(CivilTime, RtcBcdTwelveHour) {
    // 2024-02-29 11:34:56 PM, BCD, 12-hour (status B bits 2 and 1 clear).
    const auto t = decode_rtc({0x56, 0x34, 0x80 | 0x11, 0x29, 0x02, 0x24, 0x20, 0x00});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->year, 2024);
    EXPECT_EQ(t->hour, 23);
    EXPECT_EQ(t->minute, 34);
    // 12 AM is hour 0.
    EXPECT_EQ(decode_rtc({0, 0, 0x12, 1, 1, 0x24, 0, 0})->hour, 0);
}

TEST(CivilTime, RtcBinary24Hour) {
    const auto t = decode_rtc({56, 34, 23, 29, 2, 24, 0, 0x06});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->year, 2024); // no century register: 20xx
    EXPECT_EQ(t->hour, 23);
    EXPECT_FALSE(decode_rtc({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x06}));
}

} // namespace
