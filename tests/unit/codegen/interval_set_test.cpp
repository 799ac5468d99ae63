#include "appliance/classifier/interval_set.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {

TEST(IntervalSetEngine, ContainsEqualsBruteForce) {
    std::mt19937 rng(3);
    for (int round = 0; round < 50; ++round) {
        std::vector<uint32_t> lows, highs;
        uint32_t at = rng() % 10;
        size_t n = rng() % 40;
        for (size_t i = 0; i < n; ++i) {
            uint32_t low = at + rng() % 50, high = low + rng() % 20;
            lows.push_back(low);
            highs.push_back(high);
            at = high + 2;
        }
        appliance::classifier::IntervalSet set{lows.data(), highs.data(), uint32_t(n)};
        for (uint32_t v = 0; v < at + 5; ++v) {
            bool expect = false;
            for (size_t i = 0; i < n; ++i)
                expect = expect || (v >= lows[i] && v <= highs[i]);
            ASSERT_EQ(appliance::classifier::contains(set, v), expect) << v;
        }
    }
}

TEST(IntervalSetEngine, FullRangeAndExtremes) {
    const uint32_t lows[] = {0, 0xfffffff0}, highs[] = {5, 0xffffffff};
    appliance::classifier::IntervalSet set{lows, highs, 2};
    EXPECT_TRUE(appliance::classifier::contains(set, 0));
    EXPECT_FALSE(appliance::classifier::contains(set, 6));
    EXPECT_TRUE(appliance::classifier::contains(set, 0xffffffff));
    appliance::classifier::IntervalSet empty{lows, highs, 0};
    EXPECT_FALSE(appliance::classifier::contains(empty, 0));
}

} // namespace
