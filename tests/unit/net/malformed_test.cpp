// Malformed frames: each is counted under its drop reason, answered with nothing, and leaves no buffer
// behind; then every truncation and every single-bit flip of valid frames, which must not crash.
#include "harness.hpp"
#include "net/wire/bytes.hpp"
#include "net/wire/checksum.hpp"
#include "net/wire/tcp.hpp"

#include <functional>
#include <gtest/gtest.h>

namespace net::test {
namespace {

const Ipv4Address self{10, 0, 0, 1}, peer{10, 0, 0, 2};
const MacAddress us = mac_of(1), them = mac_of(2);

Bytes frame_ip(const Bytes& ip) {
    return testing::ethernet(us, them, wire::ethertype::ipv4, ip);
}

wire::Ipv4Repr ip_repr(std::uint8_t protocol, Ipv4Address src = peer, Ipv4Address dst = self) {
    wire::Ipv4Repr r;
    r.src = src;
    r.dst = dst;
    r.protocol = protocol;
    r.identification = 1234;
    return r;
}

// Edits an IPv4 datagram's header bytes and refreshes its checksum (so only the edit is wrong).
Bytes edited(Bytes ip, const std::function<void(Bytes&)>& edit, bool fix_checksum = true) {
    edit(ip);
    if (fix_checksum && ip.size() >= 20) {
        ip[10] = ip[11] = std::byte{0};
        const std::size_t hl =
            std::min<std::size_t>(ip.size(), (std::to_integer<std::size_t>(ip[0]) & 0xf) * 4);
        wire::put16(ip, 10, wire::internet_checksum(std::span(ip).first(hl)));
    }
    return ip;
}

Bytes fragment(std::uint16_t id, std::size_t offset, bool more, const Bytes& data) {
    auto r = ip_repr(wire::ip_proto::udp);
    r.identification = id;
    return edited(testing::ipv4(r, data), [&](Bytes& b) {
        wire::put16(b, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | offset / 8));
    });
}

struct Case {
    const char* name;
    std::vector<Bytes> frames;
    DropReason reason;
    bool answered = false; // an ICMP error is the right answer
};

// Runs the stack's timers until nothing is left to wait for (ARP retries, reassembly timeouts).
void drain(Stack& stack, std::initializer_list<testing::FakeNic*> nics) {
    for (int i = 0; i < 100; ++i) {
        auto t = stack.poll_at();
        if (!t) break;
        stack.poll(*t);
        for (auto* n : nics)
            n->take_sent();
    }
}

std::vector<Case> cases() {
    const Bytes udp_ok = testing::udp(peer, self, 1, 7000, Bytes(8));
    const Bytes ip_udp = testing::ipv4(ip_repr(wire::ip_proto::udp), udp_ok);
    const Bytes icmp_ok = testing::icmp(wire::icmp_type::echo_request, 0, 1, Bytes(4));
    std::vector<Case> c;
    c.push_back({"empty frame", {Bytes{}}, DropReason::Truncated});
    c.push_back({"13-byte frame", {Bytes(13)}, DropReason::Truncated});
    c.push_back({"truncated vlan tag",
                 {testing::ethernet(us, them, wire::ethertype::vlan, Bytes(2))},
                 DropReason::Truncated});
    c.push_back(
        {"ipv6 ethertype", {testing::ethernet(us, them, 0x86dd, Bytes(40))}, DropReason::UnknownEthertype});
    c.push_back({"truncated arp",
                 {testing::ethernet(us, them, wire::ethertype::arp, Bytes(6))},
                 DropReason::Truncated});
    {
        Bytes arp = testing::arp({wire::arp_op::request, them, peer, {}, self});
        arp[1] = std::byte{6};
        c.push_back({"arp for another hardware type",
                     {testing::ethernet(us, them, wire::ethertype::arp, arp)},
                     DropReason::ArpInvalid});
        Bytes op = testing::arp({wire::arp_op::request, them, peer, {}, self});
        op[7] = std::byte{9};
        c.push_back({"arp with unknown operation",
                     {testing::ethernet(us, them, wire::ethertype::arp, op)},
                     DropReason::ArpInvalid});
    }
    c.push_back(
        {"19-byte ip header", {frame_ip(Bytes(ip_udp.begin(), ip_udp.begin() + 19))}, DropReason::Truncated});
    c.push_back({"ip version 6",
                 {frame_ip(edited(ip_udp, [](Bytes& b) { b[0] = std::byte{0x65}; }))},
                 DropReason::BadVersion});
    c.push_back({"ihl below 5",
                 {frame_ip(edited(
                     ip_udp, [](Bytes& b) { b[0] = std::byte{0x44}; }, false))},
                 DropReason::BadLength});
    c.push_back({"ihl beyond the bytes",
                 {frame_ip(Bytes{ip_udp.begin(), ip_udp.begin() + 24})},
                 DropReason::BadLength});
    {
        Bytes b(ip_udp.begin(), ip_udp.begin() + 24);
        b[0] = std::byte{0x4f};
        c.push_back({"60-byte header in 24 bytes", {frame_ip(b)}, DropReason::Truncated});
    }
    c.push_back({"total length beyond the frame",
                 {frame_ip(edited(ip_udp, [](Bytes& b) { wire::put16(b, 2, 200); }))},
                 DropReason::BadLength});
    c.push_back({"total length below the header",
                 {frame_ip(edited(ip_udp, [](Bytes& b) { wire::put16(b, 2, 12); }))},
                 DropReason::BadLength});
    c.push_back({"bad header checksum",
                 {frame_ip(edited(
                     ip_udp, [](Bytes& b) { b[10] ^= std::byte{1}; }, false))},
                 DropReason::BadChecksum});
    c.push_back({"broadcast source",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp, Ipv4Address::broadcast()), udp_ok))},
                 DropReason::Martian});
    c.push_back({"multicast source",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp, {224, 0, 0, 1}), udp_ok))},
                 DropReason::Martian});
    c.push_back({"loopback destination",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp, peer, {127, 0, 0, 1}), udp_ok))},
                 DropReason::Martian});
    c.push_back({"unspecified destination",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp, peer, {0, 0, 0, 0}), udp_ok))},
                 DropReason::Martian});
    c.push_back({"multicast destination",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp, peer, {239, 1, 1, 1}), udp_ok))},
                 DropReason::NotForUs});
    c.push_back({"truncated icmp",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::icmp), Bytes(4)))},
                 DropReason::Truncated});
    {
        Bytes bad = icmp_ok;
        bad[9] ^= std::byte{0xff};
        c.push_back({"icmp bad checksum",
                     {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::icmp), bad))},
                     DropReason::BadChecksum});
    }
    c.push_back({"icmp timestamp (unhandled)",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::icmp), testing::icmp(13, 0, 0, Bytes(12))))},
                 DropReason::IcmpIgnored});
    c.push_back({"truncated udp",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp), Bytes(4)))},
                 DropReason::Truncated});
    {
        Bytes longer = udp_ok;
        wire::put16(longer, 4, 200);
        c.push_back({"udp length beyond datagram",
                     {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp), longer))},
                     DropReason::BadLength});
        Bytes shorter = udp_ok;
        wire::put16(shorter, 4, 4);
        c.push_back({"udp length below header",
                     {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp), shorter))},
                     DropReason::BadLength});
        Bytes sum = udp_ok;
        sum[6] ^= std::byte{0x10};
        c.push_back({"udp bad checksum",
                     {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::udp), sum))},
                     DropReason::BadChecksum});
    }
    c.push_back({"truncated tcp",
                 {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::tcp), Bytes(12)))},
                 DropReason::Truncated});
    {
        Bytes tcp_ok(20);
        EXPECT_TRUE((wire::TcpRepr{4000, 80, 1, 0, wire::tcp_flag::syn, 1024}.emit(tcp_ok, peer, self)));
        Bytes offset = tcp_ok; // a 60-byte header in a 20-byte segment
        offset[12] = std::byte{0xf0};
        c.push_back({"tcp header beyond segment",
                     {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::tcp), offset))},
                     DropReason::BadLength});
        Bytes sum = tcp_ok;
        sum[16] ^= std::byte{0x10};
        c.push_back({"tcp bad checksum",
                     {frame_ip(testing::ipv4(ip_repr(wire::ip_proto::tcp), sum))},
                     DropReason::BadChecksum});
    }
    c.push_back({"unknown protocol",
                 {frame_ip(testing::ipv4(ip_repr(99), Bytes(8)))},
                 DropReason::UnknownProtocol,
                 true});
    c.push_back(
        {"fragment not a multiple of 8", {frame_ip(fragment(1, 0, true, Bytes(12)))}, DropReason::BadLength});
    c.push_back({"ping of death", {frame_ip(fragment(2, 65528, false, Bytes(16)))}, DropReason::BadLength});
    c.push_back({"fragment beyond a buffer",
                 {frame_ip(fragment(3, 4096, false, Bytes(16)))},
                 DropReason::ReassemblyTooBig});
    c.push_back({"overlapping fragments",
                 {frame_ip(fragment(4, 0, true, Bytes(16, std::byte{1}))),
                  frame_ip(fragment(4, 8, false, Bytes(16, std::byte{2})))},
                 DropReason::ReassemblyOverlap});
    c.push_back({"fragments disagreeing on the end",
                 {frame_ip(fragment(5, 8, false, Bytes(8))), frame_ip(fragment(5, 16, false, Bytes(8)))},
                 DropReason::ReassemblyOverlap});
    c.push_back({"group source mac",
                 {testing::udp_frame(us, MacAddress::broadcast(), peer, self, 1, 7000, Bytes(4))},
                 DropReason::Martian});
    c.push_back({"frame for another mac",
                 {testing::udp_frame(mac_of(9), them, peer, self, 1, 7000, Bytes(4))},
                 DropReason::NotForUs});
    return c;
}

TEST(Malformed, EachIsCountedAndDroppedWithoutAReply) {
    for (const Case& c : cases()) {
        SCOPED_TRACE(c.name);
        PacketPool pool(64);
        Host host(pool);
        ASSERT_TRUE(host.iface->configure(self, {255, 255, 255, 0}));
        UdpSocket sock(host.stack);
        ASSERT_TRUE(sock.bind(7000));
        host.nic.take_sent();
        for (const Bytes& f : c.frames)
            ASSERT_TRUE(host.nic.inject(f));
        host.poll(1s);
        EXPECT_EQ(host.stack.counters().drop(c.reason), 1u) << to_string(c.reason);
        EXPECT_EQ(host.stack.counters().total_drops(), 1u);
        EXPECT_EQ(sock.received(), 0u);
        // Without a reply, nothing is sent; with one, the peer's MAC is asked for first.
        auto sent = frames_of(host.nic);
        EXPECT_EQ(sent.size(), c.answered ? 1u : 0u);
        drain(host.stack, {&host.nic});
        EXPECT_EQ(pool.available(), pool.count());
    }
}

// Every prefix and every single-bit flip of a set of valid frames, through a router with a VLAN.
TEST(Malformed, TruncationsAndBitFlipsNeverCrashOrLeak) {
    PacketPool pool(512);
    testing::FakeNic nic0(pool, us), nic1(pool, mac_of(3));
    Stack stack(pool, router_config());
    Interface* eth0 = stack.add_interface(nic0).value();
    Interface* eth1 = stack.add_interface(nic1).value();
    Interface* vlan = stack.add_vlan(*eth0, 5).value();
    ASSERT_TRUE(eth0->configure(self, {255, 255, 255, 0}));
    ASSERT_TRUE(eth1->configure({10, 0, 1, 1}, {255, 255, 255, 0}));
    ASSERT_TRUE(vlan->configure({10, 0, 5, 1}, {255, 255, 255, 0}));
    UdpSocket sock(stack);
    ASSERT_TRUE(sock.bind(7000));
    sock.on_receive([&](const UdpDatagram& d) { (void)sock.send_to(d.source, d.payload); });

    std::vector<Bytes> seeds;
    seeds.push_back(testing::udp_frame(us, them, peer, self, 1, 7000, Bytes(12, std::byte{9})));
    seeds.push_back(testing::udp_frame(us, them, peer, {10, 0, 1, 7}, 1, 7000, Bytes(12)));
    seeds.push_back(testing::echo_frame(us, them, peer, self, 1, 1));
    seeds.push_back(testing::ethernet(MacAddress::broadcast(), them, wire::ethertype::arp,
                                      testing::arp({wire::arp_op::request, them, peer, {}, self})));
    seeds.push_back(frame_ip(fragment(7, 0, true, Bytes(16))));
    {
        Bytes e = testing::echo_frame(us, them, {10, 0, 5, 2}, {10, 0, 5, 1}, 1, 1);
        seeds.push_back(
            testing::vlan_ethernet(us, them, 5, wire::ethertype::ipv4, Bytes(e.begin() + 14, e.end())));
    }
    std::uint64_t fed = 0;
    Duration t = 1s;
    for (const Bytes& seed : seeds) {
        for (std::size_t len = 0; len <= seed.size(); ++len) {
            ASSERT_TRUE(nic0.inject(std::span(seed).first(len)));
            ++fed;
        }
        for (std::size_t bit = 0; bit < seed.size() * 8; ++bit) {
            Bytes b = seed;
            b[bit / 8] ^= std::byte(static_cast<unsigned char>(1u << (bit % 8)));
            ASSERT_TRUE(nic0.inject(b));
            ++fed;
            if (fed % 64 == 0) {
                stack.poll(at(t += 10ms));
                nic0.take_sent();
                nic1.take_sent();
            }
        }
    }
    stack.poll(at(t += 10ms));
    drain(stack, {&nic0, &nic1});
    EXPECT_GT(fed, 2500u);
    EXPECT_EQ(eth0->counters().rx_packets, fed);
    EXPECT_EQ(pool.available(), pool.count());
}

} // namespace
} // namespace net::test
