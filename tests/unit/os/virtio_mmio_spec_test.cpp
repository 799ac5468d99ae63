#include <halite/os/virtio_mmio.hpp>

#include <gtest/gtest.h>

namespace {

using os::virtio_mmio::parse_spec;

TEST(VirtioMmioSpec, ParsesWhatMicrovmGenerates) {
    const auto s = parse_spec("512@0xfeb00e00:12");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->size, 512u);
    EXPECT_EQ(s->base, 0xfeb00e00u);
    EXPECT_EQ(s->irq, 12u);
    EXPECT_FALSE(s->id);
}

TEST(VirtioMmioSpec, SuffixesBasesAndId) {
    const auto s = parse_spec("4K@0x1000:5:3");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->size, 4096u);
    EXPECT_EQ(s->id, 3u);
    EXPECT_EQ(parse_spec("1M@4096:1")->size, 1u << 20);
    EXPECT_EQ(parse_spec("1m@4096:1")->base, 4096u);
    EXPECT_EQ(parse_spec("2G@0:1")->size, 2ull << 30);
    EXPECT_EQ(parse_spec("0x200@010:1")->base, 8u); // C notation: octal
}

TEST(VirtioMmioSpec, RejectsMalformed) {
    for (const char* bad : {"", "512", "512@", "512@0x10", "512@0x10:", "@0x10:1", "0@0x10:1",
                            "512@0x10:1:", "512@0x10:1x", "512#0x10:1", "x@0x10:1", "512@0xzz:1",
                            "99999999999999999999@0:1", "16E@0:1", "0x1000@0xfffffffffffff000:1:2:3"}) {
        EXPECT_FALSE(parse_spec(bad)) << bad;
    }
    EXPECT_FALSE(parse_spec("0x2000@0xfffffffffffff000:1")); // wraps
}

} // namespace
