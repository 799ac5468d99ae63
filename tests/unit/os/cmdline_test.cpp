#include <halite/os/cmdline.hpp>

#include <gtest/gtest.h>

namespace {

TEST(Cmdline, SplitsOnBlanksAndKeepsRaw) {
    const auto c = os::Cmdline::parse("  console=ttyS0\tverbose  port=8080\n");
    EXPECT_EQ(c.raw(), "  console=ttyS0\tverbose  port=8080\n");
    ASSERT_EQ(c.args().size(), 3u);
    EXPECT_EQ(c.args()[0], "console=ttyS0");
    EXPECT_EQ(c.args()[1], "verbose");
    EXPECT_EQ(c.args()[2], "port=8080");
}

TEST(Cmdline, QuotesGroupAndAreRemoved) {
    const auto c = os::Cmdline::parse(R"(msg="hello world" "a b"c x="" "")");
    ASSERT_EQ(c.args().size(), 4u);
    EXPECT_EQ(c.args()[0], "msg=hello world");
    EXPECT_EQ(c.args()[1], "a bc");
    EXPECT_EQ(c.args()[2], "x=");
    EXPECT_EQ(c.args()[3], "");
    EXPECT_EQ(c.get("msg"), "hello world");
    EXPECT_EQ(c.get("x"), "");
}

TEST(Cmdline, UnclosedQuoteRunsToTheEnd) {
    const auto c = os::Cmdline::parse(R"(a "b c)");
    ASSERT_EQ(c.args().size(), 2u);
    EXPECT_EQ(c.args()[1], "b c");
}

TEST(Cmdline, KeysValuesAndFlags) {
    const auto c = os::Cmdline::parse(
        "virtio_mmio.device=512@0xfeb00000:12 virtio_mmio.device=512@0xfeb00200:13 debug level=1 level=2 =x");
    EXPECT_EQ(c.get("level"), "2"); // the last one wins
    EXPECT_FALSE(c.get("lev"));
    EXPECT_FALSE(c.get("debug")); // a flag has no value
    EXPECT_TRUE(c.has("debug"));
    EXPECT_TRUE(c.has("level"));
    EXPECT_FALSE(c.has("deb"));
    const auto all = c.get_all("virtio_mmio.device");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1], "512@0xfeb00200:13");
    EXPECT_EQ(c.get(""), "x");
}

TEST(Cmdline, Empty) {
    const auto c = os::Cmdline::parse("");
    EXPECT_TRUE(c.args().empty());
    EXPECT_FALSE(c.has(""));
    EXPECT_TRUE(os::Cmdline().args().empty());
}

} // namespace
