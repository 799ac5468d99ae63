#include "drivers/virtio/features.hpp"

#include <gtest/gtest.h>

#include <string>

namespace os::virtio {
namespace {

constexpr std::uint64_t qemu_modern_net =
    bit(feature::net_csum) | bit(feature::net_guest_csum) | bit(feature::net_guest_tso4) |
    bit(feature::net_mac) | bit(feature::net_mrg_rxbuf) | bit(feature::net_status) |
    bit(feature::net_ctrl_vq) | bit(feature::net_mq) | bit(feature::indirect_desc) | bit(feature::event_idx) |
    bit(feature::version_1) | bit(feature::ring_packed);

TEST(NetNegotiation, ModernTakesWhatTheDriverUsesAndNothingElse) {
    const auto n = negotiate_net(qemu_modern_net, true);
    ASSERT_EQ(n.unsupported, nullptr);
    EXPECT_EQ(n.accepted, bit(feature::net_csum) | bit(feature::net_guest_csum) | bit(feature::net_mac) |
                              bit(feature::net_mrg_rxbuf) | bit(feature::net_status) |
                              bit(feature::event_idx) | bit(feature::version_1));
    // No segmentation offload, control queue, multiqueue, packed ring or indirect descriptors.
    for (unsigned b : {feature::net_guest_tso4, feature::net_ctrl_vq, feature::net_mq, feature::ring_packed,
                       feature::indirect_desc})
        EXPECT_FALSE(has(n.accepted, b)) << b;
}

TEST(NetNegotiation, ModernWithoutVersion1IsRefused) {
    const auto n = negotiate_net(qemu_modern_net & ~bit(feature::version_1), true);
    ASSERT_NE(n.unsupported, nullptr);
    EXPECT_STREQ(n.unsupported, "modern transport without VERSION_1");
}

TEST(NetNegotiation, AccessPlatformIsAcceptedWhenOffered) {
    const auto n = negotiate_net(qemu_modern_net | bit(feature::access_platform), true);
    EXPECT_TRUE(has(n.accepted, feature::access_platform));
}

TEST(NetNegotiation, LegacyNeedsAnyLayoutAndKeepsToThirtyTwoBits) {
    const std::uint64_t legacy = (qemu_modern_net & 0xffffffffu) | bit(feature::any_layout);
    const auto n = negotiate_net(legacy | bit(feature::version_1), false);
    ASSERT_EQ(n.unsupported, nullptr);
    EXPECT_TRUE(has(n.accepted, feature::any_layout));
    EXPECT_FALSE(has(n.accepted, feature::version_1));
    EXPECT_TRUE(has(n.accepted, feature::event_idx));
    EXPECT_STREQ(negotiate_net(legacy & ~bit(feature::any_layout), false).unsupported,
                 "legacy device without ANY_LAYOUT");
}

TEST(NetNegotiation, AMinimalDeviceStillWorks) {
    const auto n = negotiate_net(bit(feature::version_1), true);
    ASSERT_EQ(n.unsupported, nullptr);
    EXPECT_EQ(n.accepted, bit(feature::version_1));
}

TEST(NetHeaderLength, TwelveUnlessLegacyWithoutMergeableBuffers) {
    EXPECT_EQ(net_header_length(0, true), 12u);
    EXPECT_EQ(net_header_length(0, false), 10u);
    EXPECT_EQ(net_header_length(bit(feature::net_mrg_rxbuf), false), 12u);
}

TEST(FormatFeatures, NamesInBitOrderAndTruncatesCleanly) {
    char out[64];
    format_features(bit(feature::net_mac) | bit(feature::event_idx) | bit(feature::version_1), out);
    EXPECT_STREQ(out, "MAC EVENT_IDX VERSION_1");
    char tiny[8];
    format_features(bit(feature::net_mac) | bit(feature::event_idx), tiny);
    EXPECT_STREQ(tiny, "MAC");
}

} // namespace
} // namespace os::virtio
