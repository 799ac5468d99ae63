#include "drivers/net/checksum_offload.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace os::net_offload {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v)
        out.push_back(static_cast<std::byte>(b));
    return out;
}

// An Ethernet frame with an IPv4/UDP datagram 10.0.1.2:40000 -> 10.0.2.2:5000, payload "halite".
std::vector<std::byte> udp_frame(bool tagged = false) {
    auto f = bytes({0x52, 0x54, 0, 0x12, 0x34, 0, 0x02, 0, 0, 0, 0, 1});
    if (tagged) {
        for (auto b : bytes({0x81, 0x00, 0x00, 0x0a}))
            f.push_back(b);
    }
    for (auto b :
         bytes({0x08, 0x00,                                             // IPv4
                0x45, 0,    0,    34,   0,   1,  0x40, 0, 64, 17, 0, 0, // header, checksum not needed here
                10,   0,    1,    2,    10,  0,  2,    2,               // addresses
                0x9c, 0x40, 0x13, 0x88, 0,   14, 0,    0,               // UDP: ports, length 14, checksum
                'h',  'a',  'l',  'i',  't', 'e'}))
        f.push_back(b);
    return f;
}

std::uint16_t udp_checksum_field(const std::vector<std::byte>& f, std::size_t l3) {
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(f[l3 + 26]) << 8) |
                                      std::to_integer<unsigned>(f[l3 + 27]));
}

// RFC 768 over pseudo-header, header and data, worked out independently (Python, one's complement sum).
constexpr std::uint16_t expected_udp = 0xefd5;

TEST(FillTransportChecksum, ComputesTheUdpChecksum) {
    auto f = udp_frame();
    ASSERT_TRUE(fill_transport_checksum(f));
    EXPECT_EQ(udp_checksum_field(f, 14), expected_udp);
}

TEST(FillTransportChecksum, SeesThroughAVlanTag) {
    auto f = udp_frame(true);
    ASSERT_TRUE(fill_transport_checksum(f));
    EXPECT_EQ(udp_checksum_field(f, 18), expected_udp);
}

TEST(CompletePartialChecksum, FinishesWhatTheSenderStarted) {
    // What a Linux sender with checksum offload leaves: the pseudo-header sum (not complemented) in the
    // field; csum_start at the UDP header, csum_offset 6.
    auto f = udp_frame();
    // Pseudo-header sum of 10.0.1.2, 10.0.2.2, proto 17, length 14: 0x0a00+0x0102+0x0a00+0x0202+17+14.
    const std::uint16_t pseudo = 0x0a00 + 0x0102 + 0x0a00 + 0x0202 + 17 + 14;
    f[14 + 26] = static_cast<std::byte>(pseudo >> 8);
    f[14 + 27] = static_cast<std::byte>(pseudo);
    ASSERT_TRUE(complete_partial_checksum(f, 14 + 20, 6));
    EXPECT_EQ(udp_checksum_field(f, 14), expected_udp);
}

TEST(CompleteUnmarkedPartialChecksum, FinishesAFrameThatCarriesOnlyThePseudoHeaderSum) {
    auto f = udp_frame();
    const std::uint16_t pseudo = 0x0a00 + 0x0102 + 0x0a00 + 0x0202 + 17 + 14;
    f[14 + 26] = static_cast<std::byte>(pseudo >> 8);
    f[14 + 27] = static_cast<std::byte>(pseudo);
    ASSERT_TRUE(complete_unmarked_partial_checksum(f));
    EXPECT_EQ(udp_checksum_field(f, 14), expected_udp);
    // Complete now: a second pass leaves it.
    const auto done = f;
    EXPECT_FALSE(complete_unmarked_partial_checksum(f));
    EXPECT_EQ(f, done);
}

TEST(CompleteUnmarkedPartialChecksum, LeavesCompleteNoneAndDamagedChecksumsAlone) {
    auto complete = udp_frame();
    ASSERT_TRUE(fill_transport_checksum(complete));
    auto none = udp_frame(); // UDP checksum 0: the sender computed none (RFC 768)
    auto damaged = complete;
    damaged[14 + 27] ^= std::byte{0x01};
    auto icmp = udp_frame();
    icmp[14 + 9] = std::byte{1};
    for (auto* f : {&complete, &none, &damaged, &icmp}) {
        const auto before = *f;
        EXPECT_FALSE(complete_unmarked_partial_checksum(*f));
        EXPECT_EQ(*f, before);
    }
}

TEST(CompletePartialChecksum, RejectsOffsetsOutsideTheFrame) {
    auto f = udp_frame();
    const auto before = f;
    EXPECT_FALSE(complete_partial_checksum(f, f.size(), 0));
    EXPECT_FALSE(complete_partial_checksum(f, 34, f.size() - 34 - 1));
    EXPECT_FALSE(complete_partial_checksum(f, 0xffff, 0xffff));
    EXPECT_EQ(f, before);
}

TEST(FillTransportChecksum, LeavesEverythingElseAlone) {
    auto fragment = udp_frame();
    fragment[14 + 6] = std::byte{0x20}; // more fragments
    auto arp = udp_frame();
    arp[12] = std::byte{0x08};
    arp[13] = std::byte{0x06};
    auto icmp = udp_frame();
    icmp[14 + 9] = std::byte{1};
    auto truncated = udp_frame();
    truncated.resize(30);
    auto bad_length = udp_frame();
    bad_length[14 + 3] = std::byte{200}; // total length beyond the frame
    for (auto* f : {&fragment, &arp, &icmp, &truncated, &bad_length}) {
        const auto before = *f;
        EXPECT_FALSE(fill_transport_checksum(*f));
        EXPECT_EQ(*f, before);
    }
}

TEST(FillTransportChecksum, TcpChecksumFieldIsAtOffsetSixteen) {
    auto f = bytes({0,    1,    2,    3, 4,  5, 6, 7, 8,   9, 10,   11,   0x08, 0x00, 0x45, 0,    0,    40,
                    0,    1,    0x40, 0, 64, 6, 0, 0, 192, 0, 2,    1,    192,  0,    2,    2,    0x30, 0x39,
                    0x00, 0x50, 0,    0, 0,  1, 0, 0, 0,   0, 0x50, 0x02, 0xff, 0xff, 0xaa, 0xaa, 0,    0});
    ASSERT_TRUE(fill_transport_checksum(f));
    // Verify: summing pseudo-header and segment with the written checksum gives 0xffff.
    std::uint32_t sum = 0xc000 + 0x0201 + 0xc000 + 0x0202 + 6 + 20;
    for (std::size_t i = 34; i < 54; i += 2)
        sum += (std::to_integer<unsigned>(f[i]) << 8) | std::to_integer<unsigned>(f[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    EXPECT_EQ(sum, 0xffffu);
}

} // namespace
} // namespace os::net_offload
