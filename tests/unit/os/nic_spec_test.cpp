#include "platform/linux/nic_spec.hpp"

#include <gtest/gtest.h>

namespace os::linux_nic {
namespace {

TEST(NicSpec, ParsesTapPacketAndXdpWithAnOptionalMac) {
    auto s = parse_nic_spec("tap:tap0");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->kind, Kind::tap);
    EXPECT_EQ(s->interface, "tap0");
    EXPECT_FALSE(s->mac);
    s = parse_nic_spec("packet:veth-a,mac=02:00:00:aa:BB:0c");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->kind, Kind::packet);
    EXPECT_EQ(s->interface, "veth-a");
    EXPECT_EQ(s->mac, (MacAddress{{0x02, 0, 0, 0xaa, 0xbb, 0x0c}}));
    s = parse_nic_spec("xdp:nic1");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->kind, Kind::xdp);
    EXPECT_EQ(s->interface, "nic1");
}

TEST(NicSpec, RejectsWhatItCannotUse) {
    for (const char* bad : {"", "tap", "tap:", "xsk:eth0", "xdp:", "tap:tap0,", "tap:tap0,speed=10",
                            "tap:tap0,mac=02:00:00:00:00", "tap:tap0,mac=01:00:5e:00:00:01",
                            "tap:tap0,mac=00:00:00:00:00:00", "tap:a-very-long-interface-name"})
        EXPECT_FALSE(parse_nic_spec(bad)) << bad;
}

TEST(MacAddressParse, TakesSixHexPairsOfEitherCaseAndAnyAddress) {
    static_assert(MacAddress::parse("c0:01:0a:00:00:2A") == MacAddress{{0xc0, 0x01, 0x0a, 0, 0, 0x2a}});
    EXPECT_EQ(MacAddress::parse("ff:ff:ff:ff:ff:ff"), MacAddress::broadcast());
    EXPECT_EQ(MacAddress::parse("00:00:00:00:00:00"), MacAddress{}); // policy is the caller's (parse_mac)
    for (const char* bad :
         {"", "c0:01:0a:00:00", "c0:01:0a:00:00:2a:", "c0-01-0a-00-00-2a", "c0:01:0a:00:00:2g",
          "c0:01:0a:00:0:02a", " c0:01:0a:00:00:2", "c0:01:0a:00:00:2a "})
        EXPECT_FALSE(MacAddress::parse(bad)) << bad;
    EXPECT_EQ(parse_mac("02:00:00:00:00:01"), (MacAddress{{2, 0, 0, 0, 0, 1}}));
    EXPECT_FALSE(parse_mac("01:00:5e:00:00:01")); // --nic ...,mac= wants a unicast address of its own
    EXPECT_FALSE(parse_mac("00:00:00:00:00:00"));
}

TEST(NicOptions, TakesBothSpellingsInOrder) {
    const std::vector<std::string> args{"--nic", "tap:tap0", "router.run_for=5", "--nic=packet:nic1",
                                        "--nic"};
    const auto v = nic_options(args);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0], "tap:tap0");
    EXPECT_EQ(v[1], "packet:nic1");
}

} // namespace
} // namespace os::linux_nic
