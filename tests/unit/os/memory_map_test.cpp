#include "kernel/memory_map.hpp"

#include <gtest/gtest.h>

namespace {

using namespace os::kernel;

MemoryMap qemu_pc_64m() {
    // What the PVH start info reports for QEMU -M pc -m 64M.
    MemoryMap m;
    m.add({0x0, 0x9fc00, MemoryType::ram});
    m.add({0x9fc00, 0x400, MemoryType::reserved});
    m.add({0xf0000, 0x10000, MemoryType::reserved});
    m.add({0x100000, 0x3ee0000, MemoryType::ram});
    m.add({0x3fe0000, 0x20000, MemoryType::reserved});
    m.add({0xfffc0000, 0x40000, MemoryType::reserved});
    return m;
}

TEST(MemoryMap, UsableRamAboveTheFloorMinusExclusions) {
    const auto m = qemu_pc_64m();
    const PhysRange image{0x100000, 0x15f123};
    const auto u = m.usable(std::span<const PhysRange>(&image, 1), 1 << 20);
    ASSERT_EQ(u.size(), 1u);
    EXPECT_EQ(u[0].begin, 0x160000u); // rounded up past the image
    EXPECT_EQ(u[0].end, 0x3fe0000u);
    EXPECT_EQ(m.ram_end(), 0x3fe0000u);
}

TEST(MemoryMap, PageAlignsInwardsAndReservedWinsOverlaps) {
    MemoryMap m;
    m.add({0x100800, 0x10000, MemoryType::ram}); // unaligned both ends
    m.add({0x200000, 0x100000, MemoryType::ram});
    m.add({0x280100, 0x10, MemoryType::acpi_nvs}); // inside RAM: the page is lost
    const auto u = m.usable({}, 0);
    ASSERT_EQ(u.size(), 3u);
    EXPECT_EQ(u[0].begin, 0x101000u);
    EXPECT_EQ(u[0].end, 0x110000u);
    EXPECT_EQ(u[1].begin, 0x200000u);
    EXPECT_EQ(u[1].end, 0x280000u);
    EXPECT_EQ(u[2].begin, 0x281000u);
    EXPECT_EQ(u[2].end, 0x300000u);
}

TEST(MemoryMap, SortsAndMergesOverlappingRam) {
    MemoryMap m;
    m.add({0x400000, 0x100000, MemoryType::ram});
    m.add({0x100000, 0x100000, MemoryType::ram});
    m.add({0x180000, 0x100000, MemoryType::ram}); // overlaps the previous one
    m.add({0x280000, 0x1000, MemoryType::ram});   // touches it
    const auto u = m.usable({}, 0);
    ASSERT_EQ(u.size(), 2u);
    EXPECT_EQ(u[0].begin, 0x100000u);
    EXPECT_EQ(u[0].end, 0x281000u);
    EXPECT_EQ(u[1].begin, 0x400000u);
}

TEST(MemoryMap, IgnoresEmptyAndClampsWrappingRegions) {
    MemoryMap m;
    m.add({0x1000, 0, MemoryType::ram});
    m.add({0xfffffffffffff000, 0x10000, MemoryType::reserved});
    EXPECT_EQ(m.regions().size(), 1u);
    EXPECT_EQ(m.regions()[0].base + m.regions()[0].size, ~std::uint64_t{0});
    EXPECT_TRUE(m.usable({}, 0).empty());
}

TEST(MemoryMap, OverlapsRam) {
    const auto m = qemu_pc_64m();
    EXPECT_TRUE(m.overlaps_ram({0x3fd0000, 0x3fd1000}));
    EXPECT_FALSE(m.overlaps_ram({0xfec00000, 0xfec01000}));
    EXPECT_FALSE(m.overlaps_ram({0x9fc00, 0xa0000}));
}

TEST(MemoryMap, CapacityIsBounded) {
    MemoryMap m;
    for (std::size_t i = 0; i < max_memory_regions + 5; ++i)
        m.add({i * 0x2000, 0x1000, MemoryType::ram});
    EXPECT_EQ(m.regions().size(), max_memory_regions);
    EXPECT_EQ(m.dropped(), 5u);
}

TEST(MemoryMap, SubtractSplits) {
    UsableRanges r;
    r.push_back({0x1000, 0x10000});
    subtract(r, {0x3000, 0x5000});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].end, 0x3000u);
    EXPECT_EQ(r[1].begin, 0x5000u);
    subtract(r, {0x0, 0x100000});
    EXPECT_TRUE(r.empty());
}

} // namespace
