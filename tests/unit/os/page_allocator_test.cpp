#include "kernel/page_allocator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace {

using os::kernel::PageAllocator;
using os::kernel::PageBitmap;

struct PageAllocatorTest : ::testing::Test {
    std::vector<std::uint64_t> storage;
    PageAllocator a;
    void make(std::uint64_t pages) {
        storage.assign(PageAllocator::words_for(pages), 0);
        a.init(storage, pages);
    }
};

TEST_F(PageAllocatorTest, StartsFullAndCountsAddedPages) {
    make(1000);
    EXPECT_EQ(a.free_pages(), 0u);
    EXPECT_FALSE(a.allocate(1));
    a.add_free(256, 100);
    a.add_free(300, 100); // overlaps: counted once
    EXPECT_EQ(a.free_pages(), 144u);
    EXPECT_EQ(a.managed_pages(), 144u);
    a.add_free(990, 100); // clipped at the end
    EXPECT_EQ(a.free_pages(), 154u);
}

TEST_F(PageAllocatorTest, FirstFitContiguousAndAligned) {
    make(4096);
    a.add_free(10, 20);
    a.add_free(100, 1000);
    EXPECT_EQ(a.allocate(5), 10u);
    EXPECT_EQ(a.allocate(20), 100u); // the hole at 15 is too small
    EXPECT_EQ(a.allocate(15), 15u);  // now it fits
    EXPECT_EQ(a.allocate(1, 512), 512u);
    EXPECT_EQ(a.allocate(2000), std::nullopt);
    EXPECT_TRUE(a.free(100, 20));
    EXPECT_EQ(a.allocate(20), 100u);
    EXPECT_FALSE(a.allocate(0));
    EXPECT_FALSE(a.allocate(1, 3)); // not a power of two
}

TEST_F(PageAllocatorTest, DoubleFreeAndForeignPagesAreRefused) {
    make(128);
    a.add_free(0, 64);
    const auto p = a.allocate(4);
    ASSERT_TRUE(p);
    EXPECT_TRUE(a.free(*p, 4));
    EXPECT_FALSE(a.free(*p, 4));
    EXPECT_FALSE(a.free(*p, 1));
    EXPECT_FALSE(a.free(120, 20)); // beyond the end
    EXPECT_EQ(a.free_pages(), 64u);
}

TEST_F(PageAllocatorTest, AllocateAt) {
    make(256);
    a.add_free(0, 256);
    EXPECT_TRUE(a.allocate_at(10, 5));
    EXPECT_FALSE(a.allocate_at(12, 5));
    EXPECT_FALSE(a.allocate_at(250, 10));
    EXPECT_EQ(a.allocate(10), 0u);
    EXPECT_EQ(a.allocate(1), 15u);
    EXPECT_TRUE(a.range_free(16, 100));
    EXPECT_FALSE(a.range_free(14, 2));
}

TEST_F(PageAllocatorTest, RandomisedAgainstAModel) {
    make(3000);
    a.add_free(1, 2999);
    std::mt19937 rng(42);
    std::map<std::uint64_t, std::uint64_t> live; // first -> count
    std::vector<bool> used(3000, false);
    used[0] = true;
    for (int step = 0; step < 20000; ++step) {
        if (live.empty() || rng() % 3 != 0) {
            const std::uint64_t n = 1 + rng() % 40;
            const std::uint64_t align = std::uint64_t{1} << (rng() % 4);
            const auto p = a.allocate(n, align);
            if (!p) continue;
            ASSERT_EQ(*p % align, 0u);
            for (std::uint64_t i = *p; i < *p + n; ++i) {
                ASSERT_FALSE(used[i]) << "page " << i << " handed out twice";
                used[i] = true;
            }
            live[*p] = n;
        } else {
            auto it = live.begin();
            std::advance(it, static_cast<long>(rng() % live.size()));
            ASSERT_TRUE(a.free(it->first, it->second));
            for (std::uint64_t i = it->first; i < it->first + it->second; ++i)
                used[i] = false;
            live.erase(it);
        }
        std::uint64_t free_model = 0;
        if (step % 997 == 0) {
            for (std::size_t i = 0; i < used.size(); ++i)
                free_model += used[i] ? 0 : 1;
            ASSERT_EQ(a.free_pages(), free_model);
        }
    }
    for (const auto& [first, n] : live)
        ASSERT_TRUE(a.free(first, n));
    EXPECT_EQ(a.free_pages(), 2999u);
}

TEST(PageBitmap, FindAssignCount) {
    std::vector<std::uint64_t> storage(3);
    PageBitmap b;
    b.init(storage, 130, false);
    b.assign(60, 10, true);
    EXPECT_EQ(b.find(0, true), 60u);
    EXPECT_EQ(b.find(60, false), 70u);
    EXPECT_EQ(b.find(71, true), 130u);
    EXPECT_EQ(b.count(0, 130, true), 10u);
    EXPECT_TRUE(b.all(60, 10, true));
    EXPECT_FALSE(b.all(59, 10, true));
    EXPECT_FALSE(b.all(125, 10, false)); // runs past the end
    b.assign(0, 1000, true);
    EXPECT_EQ(b.find(0, false), 130u);
    EXPECT_FALSE(b.test(130));
}

} // namespace
