// IPv4 reassembly: order, duplicates, overlaps, bounds and timeouts.
#include "harness.hpp"
#include "net/reassembly.hpp"
#include "net/wire/bytes.hpp"

#include <cstring>
#include <gtest/gtest.h>

namespace net::test {
namespace {

struct Reassembly : ::testing::Test {
    PacketPool pool{32};
    Reassembler r{pool, 30s};

    PacketPtr fragment(std::uint16_t id, std::size_t offset, bool more, const Bytes& data,
                       std::uint8_t fill_hdr_ttl = 64) {
        wire::Ipv4Repr ip;
        ip.src = {10, 0, 0, 2};
        ip.dst = {10, 0, 0, 1};
        ip.protocol = wire::ip_proto::udp;
        ip.identification = id;
        ip.ttl = fill_hdr_ttl;
        Bytes b = testing::ipv4(ip, data);
        wire::put16(b, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | (offset / 8)));
        wire::Ipv4View::wrap(b)->fill_checksum();
        PacketPtr p = pool.allocate();
        EXPECT_TRUE(p->append(b.size()));
        std::memcpy(p->data().data(), b.data(), b.size());
        return p;
    }
    static Bytes pattern(std::size_t n, int seed) {
        Bytes b(n);
        for (std::size_t i = 0; i < n; ++i)
            b[i] = std::byte(static_cast<unsigned char>(i * 7 + seed));
        return b;
    }
};

TEST_F(Reassembly, InOrder) {
    const Bytes all = pattern(40, 1);
    auto r1 = r.add(fragment(7, 0, true, Bytes(all.begin(), all.begin() + 24)), at(0s));
    EXPECT_FALSE(r1.datagram);
    EXPECT_FALSE(r1.dropped);
    auto r2 = r.add(fragment(7, 24, false, Bytes(all.begin() + 24, all.end())), at(1s));
    ASSERT_TRUE(r2.datagram);
    auto ip = wire::Ipv4View::parse(r2.datagram->data()).view;
    ASSERT_TRUE(ip);
    EXPECT_TRUE(ip->verify_checksum());
    EXPECT_FALSE(ip->is_fragment());
    EXPECT_EQ(ip->total_length(), 60);
    EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()), all);
    EXPECT_EQ(r.in_progress(), 0u);
    r2.datagram.reset();
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(Reassembly, OutOfOrderAndDuplicates) {
    const Bytes all = pattern(64, 2);
    auto part = [&](std::size_t a, std::size_t b) { return Bytes(all.begin() + a, all.begin() + b); };
    EXPECT_FALSE(r.add(fragment(9, 48, false, part(48, 64)), at(0s)).datagram);
    EXPECT_FALSE(r.add(fragment(9, 16, true, part(16, 48)), at(0s)).datagram);
    auto dup = r.add(fragment(9, 16, true, part(16, 48)), at(0s)); // a duplicated frame: harmless
    EXPECT_FALSE(dup.dropped);
    auto done = r.add(fragment(9, 0, true, part(0, 24)), at(0s)); // overlaps 16..24 with equal bytes
    ASSERT_TRUE(done.datagram);
    auto ip = wire::Ipv4View::parse(done.datagram->data()).view;
    EXPECT_EQ(Bytes(ip->payload().begin(), ip->payload().end()), all);
}

TEST_F(Reassembly, OverlapWithDifferentBytesDropsTheDatagram) {
    EXPECT_FALSE(r.add(fragment(3, 0, true, pattern(16, 1)), at(0s)).dropped);
    auto bad = r.add(fragment(3, 8, true, pattern(16, 9)), at(0s));
    EXPECT_EQ(bad.dropped, DropReason::ReassemblyOverlap);
    EXPECT_EQ(r.in_progress(), 0u);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(Reassembly, DisagreeingEndsAreOverlaps) {
    EXPECT_FALSE(r.add(fragment(4, 16, false, pattern(8, 1)), at(0s)).dropped);
    EXPECT_EQ(r.add(fragment(4, 32, false, pattern(8, 1)), at(0s)).dropped, DropReason::ReassemblyOverlap);
    EXPECT_FALSE(r.add(fragment(5, 16, true, pattern(16, 1)), at(0s)).dropped);
    EXPECT_EQ(r.add(fragment(5, 0, false, pattern(8, 1)), at(0s)).dropped, DropReason::ReassemblyOverlap);
}

TEST_F(Reassembly, BadLengths) {
    EXPECT_EQ(r.add(fragment(1, 0, true, pattern(12, 1)), at(0s)).dropped, DropReason::BadLength);
    EXPECT_EQ(r.add(fragment(1, 0, true, {}), at(0s)).dropped, DropReason::BadLength);
    // The "ping of death": offset + length beyond 65535.
    EXPECT_EQ(r.add(fragment(1, 65528, false, pattern(16, 1)), at(0s)).dropped, DropReason::BadLength);
    // Fits IPv4 but not a packet buffer.
    EXPECT_EQ(r.add(fragment(1, 8000, false, pattern(16, 1)), at(0s)).dropped, DropReason::ReassemblyTooBig);
    EXPECT_EQ(r.in_progress(), 0u);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(Reassembly, TimeoutReportsOnlyWhenTheFirstFragmentArrived) {
    (void)r.add(fragment(1, 0, true, pattern(16, 1)), at(0s));
    (void)r.add(fragment(2, 16, false, pattern(16, 1)), at(5s));
    EXPECT_EQ(r.next_deadline(), at(30s));
    int reports = 0;
    auto on_timeout = [&](std::span<std::byte> quoted) {
        ++reports;
        EXPECT_EQ(quoted.size(), 28u); // header + 8 bytes
        auto v = wire::Ipv4View::wrap(quoted);
        EXPECT_EQ(v->identification(), 1);
    };
    EXPECT_EQ(r.expire(at(29s), on_timeout), 0u);
    EXPECT_EQ(r.expire(at(30s), on_timeout), 1u);
    EXPECT_EQ(r.expire(at(35s), on_timeout), 1u);
    EXPECT_EQ(reports, 1);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(Reassembly, FullTableEvictsTheOldest) {
    for (std::uint16_t id = 0; id < Reassembler::slots; ++id) {
        EXPECT_FALSE(r.add(fragment(id, 0, true, pattern(8, 1)), at(std::chrono::seconds(id))).evicted);
    }
    auto res = r.add(fragment(100, 0, true, pattern(8, 1)), at(20s));
    EXPECT_TRUE(res.evicted);
    EXPECT_EQ(r.in_progress(), Reassembler::slots);
    // Datagram 0 is gone: its last fragment starts a new, incomplete one.
    EXPECT_FALSE(r.add(fragment(0, 8, false, pattern(8, 1)), at(21s)).datagram);
}

TEST_F(Reassembly, KeepsTheFirstFragmentsOptions) {
    // A 24-byte header (one 4-byte option) on the first fragment is kept in the result.
    Bytes hdr = testing::bytes_of(
        {0x46, 0, 0, 40, 0, 5, 0x20, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1, 1, 1, 1, 0});
    Bytes first = hdr;
    const Bytes d = pattern(16, 3);
    first.insert(first.end(), d.begin(), d.end());
    wire::Ipv4View::wrap(first)->fill_checksum();
    PacketPtr p = pool.allocate();
    ASSERT_TRUE(p->append(first.size()));
    std::memcpy(p->data().data(), first.data(), first.size());
    EXPECT_FALSE(r.add(std::move(p), at(0s)).datagram);
    auto done = r.add(fragment(5, 16, false, pattern(4, 4)), at(0s));
    ASSERT_TRUE(done.datagram);
    auto ip = wire::Ipv4View::parse(done.datagram->data()).view;
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->header_len(), 24u);
    EXPECT_EQ(ip->total_length(), 44);
    EXPECT_TRUE(ip->verify_checksum());
}

} // namespace
} // namespace net::test
