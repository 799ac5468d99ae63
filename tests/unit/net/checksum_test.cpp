#include "net/testing/frames.hpp"
#include "net/wire/checksum.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace net::wire {
namespace {

using testing::bytes_of;

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (so the checksum is its complement).
    auto b = bytes_of({0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7});
    EXPECT_EQ(checksum_finish(checksum_accumulate(0, b)), static_cast<std::uint16_t>(~0xddf2));
}

TEST(Checksum, OddLengthPadsWithZero) {
    auto odd = bytes_of({0x12, 0x34, 0x56});
    auto even = bytes_of({0x12, 0x34, 0x56, 0x00});
    EXPECT_EQ(internet_checksum(odd), internet_checksum(even));
}

TEST(Checksum, KnownIpv4Header) {
    auto h = bytes_of({0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                       0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7});
    EXPECT_EQ(internet_checksum(h), 0xb861);
    h[10] = std::byte{0xb8};
    h[11] = std::byte{0x61};
    EXPECT_EQ(internet_checksum(h), 0);
}

TEST(Checksum, Rfc1624Example) {
    // RFC 1624 4: HC = 0xDD2F, m = 0x5555, m' = 0x3285 gives 0x0000 with eqn. 3 (eqn. 2 would give 0xFFFF).
    EXPECT_EQ(checksum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
}

TEST(Checksum, IncrementalMatchesRecomputation) {
    auto h = bytes_of({0x45, 0x00, 0x00, 0x73, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
                       0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7});
    for (std::uint32_t seed = 1; seed < 2000; seed += 7) {
        const std::uint16_t sum = internet_checksum(h);
        h[10] = std::byte(sum >> 8);
        h[11] = std::byte(sum & 0xff);
        const std::uint32_t old_addr = (std::uint32_t(h[12]) << 24) | (std::uint32_t(h[13]) << 16) |
                                       (std::uint32_t(h[14]) << 8) | std::uint32_t(h[15]);
        const std::uint32_t new_addr = seed * 2654435761u;
        const std::uint16_t updated = checksum_update32(sum, old_addr, new_addr);
        for (int i = 0; i < 4; ++i)
            h[12 + i] = std::byte(new_addr >> (24 - 8 * i));
        h[10] = h[11] = std::byte{0};
        EXPECT_EQ(updated, internet_checksum(h)) << seed;
    }
}

// RFC 1071 4.1 as written: 16-bit words added one by one with the end-around carry at once.
std::uint32_t reference_sum(std::uint32_t acc, std::span<const std::byte> b) {
    std::uint64_t sum = acc;
    for (std::size_t i = 0; i < b.size(); i += 2) {
        sum += std::uint32_t(std::to_integer<unsigned>(b[i])) << 8 |
               (i + 1 < b.size() ? std::to_integer<unsigned>(b[i + 1]) : 0u);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<std::uint32_t>(sum);
}

TEST(Checksum, MatchesWordByWordSumsOfEveryLengthAndPattern) {
    std::uint32_t x = 12345;
    auto next = [&] { return x = x * 1664525u + 1013904223u; };
    for (std::size_t length = 0; length <= 200; ++length) {
        for (int pattern = 0; pattern < 4; ++pattern) {
            std::vector<std::byte> b(length);
            for (auto& v : b)
                v = pattern == 0 ? std::byte{0xff} : pattern == 1 ? std::byte{0} : std::byte(next() >> 24);
            // Accumulators as callers pass them: none, a pseudo-header's sum, the largest this returns.
            for (std::uint32_t acc : {0u, 0x2c3d4u, 0x10000u, next() & 0xffffu}) {
                const std::uint32_t got = checksum_accumulate(acc, b);
                EXPECT_LE(got, 0x10000u);
                EXPECT_EQ(checksum_finish(got), checksum_finish(reference_sum(acc, b)))
                    << "length " << length << " pattern " << pattern << " acc " << acc;
            }
        }
    }
}

TEST(Checksum, PseudoHeader) {
    // A UDP datagram's checksum verifies when summed with its pseudo-header.
    const Ipv4Address src{10, 0, 0, 1}, dst{10, 0, 0, 2};
    auto d = testing::udp(src, dst, 1234, 53, bytes_of({1, 2, 3}));
    EXPECT_EQ(checksum_finish(checksum_accumulate(pseudo_header_sum(src, dst, 17, 11), d)), 0);
}

} // namespace
} // namespace net::wire
