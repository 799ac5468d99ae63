// Forwarding between interfaces: in-place rewrite, TTL, ICMP errors, hooks, fragments, MTU, VLANs.
#include "harness.hpp"
#include "net/wire/bytes.hpp"

#include <cstring>
#include <gtest/gtest.h>

namespace net::test {
namespace {

const Ipv4Address a_ip{10, 0, 1, 2}, b_ip{10, 0, 2, 2};
const Ipv4Address r0_ip{10, 0, 1, 1}, r1_ip{10, 0, 2, 1};
const MacAddress a_mac = mac_of(0x11), b_mac = mac_of(0x22), r0_mac = mac_of(1), r1_mac = mac_of(2);

struct Router : ::testing::Test {
    PacketPool pool{256};
    testing::FakeNic nic0{pool, r0_mac};
    testing::FakeNic nic1{pool, r1_mac, 576};
    Stack stack{pool, router_config()};
    Interface* eth0 = stack.add_interface(nic0).value();
    Interface* eth1 = stack.add_interface(nic1).value();

    void SetUp() override {
        ASSERT_TRUE(eth0->configure(r0_ip, {255, 255, 255, 0}));
        ASSERT_TRUE(eth1->configure(r1_ip, {255, 255, 255, 0}));
        // Both neighbours introduce themselves.
        nic0.inject(testing::ethernet(MacAddress::broadcast(), a_mac, wire::ethertype::arp,
                                      testing::arp({wire::arp_op::request, a_mac, a_ip, {}, r0_ip})));
        nic1.inject(testing::ethernet(MacAddress::broadcast(), b_mac, wire::ethertype::arp,
                                      testing::arp({wire::arp_op::request, b_mac, b_ip, {}, r1_ip})));
        stack.poll(at(0s));
        nic0.take_sent();
        nic1.take_sent();
    }
    Bytes a_to_b(std::uint8_t ttl = 64, std::size_t payload = 8) {
        return testing::udp_frame(r0_mac, a_mac, a_ip, b_ip, 1000, 2000, Bytes(payload, std::byte{7}), ttl);
    }
};

TEST_F(Router, ForwardsInPlaceWithTtlAndChecksumUpdated) {
    Bytes in = a_to_b(64);
    PacketPtr p = pool.allocate();
    ASSERT_TRUE(p->append(in.size()));
    std::memcpy(p->data().data(), in.data(), in.size());
    const PacketBuffer* buffer = p.get();
    nic0.inject(std::move(p));
    stack.poll(at(1s));
    ASSERT_EQ(nic1.sent().size(), 1u);
    EXPECT_EQ(nic1.sent().front().get(), buffer); // the very buffer received: no copy
    auto frames = frames_of(nic1);
    EXPECT_EQ(frames[0].eth.src, r1_mac);
    EXPECT_EQ(frames[0].eth.dst, b_mac);
    auto ip = frames[0].ip();
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->ttl(), 63);
    EXPECT_TRUE(ip->verify_checksum());
    EXPECT_EQ(ip->src(), a_ip);
    // Everything after the TTL/checksum is byte for byte what came in (then the padding to 60 bytes).
    ASSERT_EQ(frames[0].bytes.size(), 60u);
    EXPECT_TRUE(std::equal(in.begin() + 14 + 12, in.end(), frames[0].l3.begin() + 12));
    EXPECT_EQ(stack.counters().forwarded, 1u);
    EXPECT_TRUE(nic0.take_sent().empty());
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(Router, TimeExceededWhenTtlRunsOut) {
    nic0.inject(a_to_b(1));
    stack.poll(at(1s));
    EXPECT_TRUE(nic1.take_sent().empty());
    auto frames = frames_of(nic0);
    ASSERT_EQ(frames.size(), 1u);
    auto ip = frames[0].ip();
    EXPECT_EQ(ip->src(), r0_ip); // traceroute sees this hop's address
    EXPECT_EQ(ip->dst(), a_ip);
    auto icmp = frames[0].icmp();
    EXPECT_EQ(icmp->type(), wire::icmp_type::time_exceeded);
    EXPECT_EQ(icmp->code(), wire::time_exceeded_code::ttl);
    EXPECT_EQ(wire::Ipv4View::wrap(icmp->data())->dst(), b_ip);
    EXPECT_EQ(eth0->counters().drop(DropReason::TtlExceeded), 1u);
}

TEST_F(Router, NetUnreachableWithoutRoute) {
    nic0.inject(testing::udp_frame(r0_mac, a_mac, a_ip, {192, 168, 5, 5}, 1, 2, Bytes(4)));
    stack.poll(at(1s));
    auto frames = frames_of(nic0);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].icmp()->type(), wire::icmp_type::dest_unreachable);
    EXPECT_EQ(frames[0].icmp()->code(), wire::unreachable_code::net);
    EXPECT_EQ(stack.counters().drop(DropReason::NoRoute), 1u);
}

TEST_F(Router, HostModeDoesNotForward) {
    stack.set_forwarding(false);
    nic0.inject(a_to_b());
    stack.poll(at(1s));
    EXPECT_TRUE(nic0.take_sent().empty());
    EXPECT_TRUE(nic1.take_sent().empty());
    EXPECT_EQ(eth0->counters().drop(DropReason::NotForUs), 1u);
}

TEST_F(Router, BroadcastsAreNotForwarded) {
    nic0.inject(testing::udp_frame(MacAddress::broadcast(), a_mac, a_ip, {10, 0, 2, 255}, 1, 2, Bytes(4)));
    nic0.inject(testing::udp_frame(r0_mac, a_mac, a_ip, {10, 0, 2, 255}, 1, 2, Bytes(4)));
    stack.poll(at(1s));
    EXPECT_TRUE(nic1.take_sent().empty());
    EXPECT_EQ(eth0->counters().drop(DropReason::NotForUs), 2u);
}

struct Recorder {
    std::vector<PacketInfo> seen;
    Verdict verdict = Verdict::Accept;
    Verdict on_packet(PacketInfo& info) {
        seen.push_back(info);
        return verdict;
    }
};

TEST_F(Router, ForwardAndPostroutingHooks) {
    Recorder forward, post;
    stack.hooks().set(HookPoint::Forward, forward);
    stack.hooks().set(HookPoint::Postrouting, post);
    nic0.inject(a_to_b());
    stack.poll(at(1s));
    ASSERT_EQ(forward.seen.size(), 1u);
    EXPECT_EQ(forward.seen[0].in, eth0);
    EXPECT_EQ(forward.seen[0].out, eth1);
    EXPECT_EQ(forward.seen[0].dst_port, 2000);
    ASSERT_EQ(post.seen.size(), 1u);
    EXPECT_EQ(post.seen[0].hook, HookPoint::Postrouting);
    EXPECT_EQ(nic1.take_sent().size(), 1u);

    forward.verdict = Verdict::Reject;
    nic0.inject(a_to_b());
    stack.poll(at(2s));
    EXPECT_TRUE(nic1.take_sent().empty());
    auto frames = frames_of(nic0);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].icmp()->code(), wire::unreachable_code::admin_prohibited);
    EXPECT_EQ(eth0->counters().drop(DropReason::Filtered), 1u);
}

TEST_F(Router, ConntrackStateTravelsFromPreroutingToForward) {
    static int entry = 0;
    stack.hooks().set(
        HookPoint::Prerouting,
        [](void*, PacketInfo& i) {
            i.conntrack = &entry;
            i.mark = 42;
            return Verdict::Accept;
        },
        nullptr);
    Recorder forward;
    stack.hooks().set(HookPoint::Forward, forward);
    nic0.inject(a_to_b());
    stack.poll(at(1s));
    ASSERT_EQ(forward.seen.size(), 1u);
    EXPECT_EQ(forward.seen[0].conntrack, &entry);
    EXPECT_EQ(forward.seen[0].mark, 42u);
}

TEST_F(Router, FragmentsAreForwardedUntouched) {
    wire::Ipv4Repr ip;
    ip.src = a_ip;
    ip.dst = b_ip;
    ip.protocol = wire::ip_proto::udp;
    ip.identification = 99;
    Bytes second = testing::ipv4(ip, Bytes(16, std::byte{3}));
    wire::put16(second, 6, 3); // offset 24, last fragment: no UDP header in it
    wire::Ipv4View::wrap(second)->fill_checksum();
    Bytes first = testing::ipv4(ip, Bytes(24, std::byte{4}));
    wire::put16(first, 6, 0x2000);
    wire::Ipv4View::wrap(first)->fill_checksum();
    nic0.inject(testing::ethernet(r0_mac, a_mac, wire::ethertype::ipv4, second));
    nic0.inject(testing::ethernet(r0_mac, a_mac, wire::ethertype::ipv4, first));
    stack.poll(at(1s));
    auto frames = frames_of(nic1);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].ip()->fragment_offset(), 24u);
    EXPECT_TRUE(frames[1].ip()->more_fragments());
    EXPECT_EQ(frames[0].ip()->ttl(), 63);
    EXPECT_EQ(stack.counters().reassembled, 0u);
    EXPECT_FALSE(stack.poll_at()); // nothing waits in the reassembler
}

TEST_F(Router, MtuExceeded) {
    Bytes big = a_to_b(64, 600); // 628-byte datagram, eth1's MTU is 576
    nic0.inject(big);
    stack.poll(at(1s));
    EXPECT_TRUE(nic0.take_sent().empty()); // no DF: dropped silently (this stack does not fragment)
    EXPECT_EQ(eth0->counters().drop(DropReason::MtuExceeded), 1u);
    wire::put16(std::span(big).subspan(14), 6, 0x4000);
    wire::Ipv4View::wrap(std::span(big).subspan(14))->fill_checksum();
    nic0.inject(big);
    stack.poll(at(2s));
    auto frames = frames_of(nic0);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].icmp()->code(), wire::unreachable_code::fragmentation_needed);
    EXPECT_EQ(frames[0].icmp()->rest_of_header() & 0xffff, 576u); // RFC 1191 next-hop MTU
}

TEST_F(Router, DefaultRouteThroughAGateway) {
    ASSERT_TRUE(stack.routes().add({{{0, 0, 0, 0}, 0}, {10, 0, 2, 254}, eth1, 0}));
    nic0.inject(testing::udp_frame(r0_mac, a_mac, a_ip, {8, 8, 8, 8}, 1, 53, Bytes(4)));
    stack.poll(at(1s));
    auto frames = frames_of(nic1);
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_TRUE(frames[0].arp());
    EXPECT_EQ(frames[0].arp()->target_ip, (Ipv4Address{10, 0, 2, 254}));
    nic1.inject(
        testing::ethernet(r1_mac, mac_of(0x33), wire::ethertype::arp,
                          testing::arp({wire::arp_op::reply, mac_of(0x33), {10, 0, 2, 254}, r1_mac, r1_ip})));
    stack.poll(at(1100ms));
    frames = frames_of(nic1);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].eth.dst, mac_of(0x33));
    EXPECT_EQ(frames[0].ip()->dst(), (Ipv4Address{8, 8, 8, 8}));
}

TEST_F(Router, RoutesBetweenAVlanAndANic) {
    Interface* v20 = stack.add_vlan(*eth0, 20).value();
    ASSERT_TRUE(v20->configure({10, 0, 20, 1}, {255, 255, 255, 0}));
    nic0.take_sent();
    const Ipv4Address c_ip{10, 0, 20, 2};
    nic0.inject(testing::vlan_ethernet(
        MacAddress::broadcast(), mac_of(0x44), 20, wire::ethertype::arp,
        testing::arp({wire::arp_op::request, mac_of(0x44), c_ip, {}, {10, 0, 20, 1}})));
    Bytes from_c = testing::udp_frame(r0_mac, mac_of(0x44), c_ip, b_ip, 1, 2, Bytes(4));
    nic0.inject(testing::vlan_ethernet(r0_mac, mac_of(0x44), 20, wire::ethertype::ipv4,
                                       Bytes(from_c.begin() + 14, from_c.end())));
    stack.poll(at(1s));
    auto out = frames_of(nic1);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].vlan_id, 0);
    EXPECT_EQ(out[0].ip()->src(), c_ip);
    // And back: B answers C, the frame leaves tagged.
    nic1.inject(testing::udp_frame(r1_mac, b_mac, b_ip, c_ip, 2, 1, Bytes(4)));
    nic0.take_sent();
    stack.poll(at(2s));
    auto back = frames_of(nic0);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].vlan_id, 20);
    EXPECT_EQ(back[0].eth.dst, mac_of(0x44));
    EXPECT_EQ(back[0].ip()->ttl(), 63);
}

} // namespace
} // namespace net::test
