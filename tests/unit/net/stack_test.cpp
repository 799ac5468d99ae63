// One stack on a fake NIC: ICMP echo, UDP sockets, VLANs, hooks, protocol handlers, reassembly, budgets.
#include "harness.hpp"
#include "net/wire/bytes.hpp"

#include <cstring>
#include <gtest/gtest.h>

namespace net::test {
namespace {

const Ipv4Address self{10, 0, 0, 1};
const Ipv4Address peer{10, 0, 0, 2};

struct StackTest : ::testing::Test {
    PacketPool pool{256};
    Host host{pool};

    void SetUp() override {
        ASSERT_TRUE(host.iface->configure(self, {255, 255, 255, 0}));
        // Teach the stack the peer's MAC (it answers the peer's ARP request) and forget the frames.
        host.nic.inject(testing::ethernet(MacAddress::broadcast(), mac_of(2), wire::ethertype::arp,
                                          testing::arp({wire::arp_op::request, mac_of(2), peer, {}, self})));
        host.poll(0s);
        host.nic.take_sent();
    }
    Bytes udp_to_us(std::uint16_t dst_port, const Bytes& payload, Ipv4Address dst = self) {
        return testing::udp_frame(mac_of(1), mac_of(2), peer, dst, 5555, dst_port, payload);
    }
};

TEST_F(StackTest, AnswersEchoRequestsInPlace) {
    host.nic.inject(testing::echo_frame(mac_of(1), mac_of(2), peer, self, 0x4242, 7));
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    auto ip = frames[0].ip();
    ASSERT_TRUE(ip);
    EXPECT_TRUE(ip->verify_checksum());
    EXPECT_EQ(ip->src(), self);
    EXPECT_EQ(ip->dst(), peer);
    EXPECT_EQ(frames[0].eth.dst, mac_of(2));
    auto icmp = frames[0].icmp();
    ASSERT_TRUE(icmp);
    EXPECT_TRUE(icmp->verify_checksum());
    EXPECT_EQ(icmp->type(), wire::icmp_type::echo_reply);
    EXPECT_EQ(icmp->echo_identifier(), 0x4242);
    EXPECT_EQ(icmp->echo_sequence(), 7);
    EXPECT_EQ(icmp->data().size(), 4u);
    EXPECT_EQ(host.stack.counters().echo_replies_sent, 1u);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(StackTest, IgnoresBroadcastEchoRequests) {
    host.nic.inject(testing::echo_frame(MacAddress::broadcast(), mac_of(2), peer, {10, 0, 0, 255}, 1, 1));
    host.nic.inject(
        testing::echo_frame(MacAddress::broadcast(), mac_of(2), peer, Ipv4Address::broadcast(), 1, 1));
    host.poll(1s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    EXPECT_EQ(host.iface->counters().drop(DropReason::IcmpIgnored), 2u);
}

TEST_F(StackTest, UdpSocketReceivesWithSourceAndInterface) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(7000));
    int calls = 0;
    sock.on_receive([&](const UdpDatagram& d) {
        ++calls;
        EXPECT_EQ(d.source, (UdpEndpoint{peer, 5555}));
        EXPECT_EQ(d.destination, (UdpEndpoint{self, 7000}));
        EXPECT_EQ(d.interface, host.iface);
        ASSERT_EQ(d.payload.size(), 3u);
        EXPECT_EQ(d.payload[2], std::byte{'c'});
    });
    host.nic.inject(udp_to_us(7000, testing::bytes_of({'a', 'b', 'c'})));
    host.poll(1s);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(sock.received(), 1u);
    EXPECT_EQ(host.stack.counters().delivered, 1u);
}

TEST_F(StackTest, UdpChecksumIsSkippedOnlyWhenTheNicVerifiedIt) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(7000));
    auto corrupt = [&] {
        Bytes f = udp_to_us(7000, testing::bytes_of({'a', 'b', 'c'}));
        f[14 + 20 + 6] ^= std::byte{0x5a}; // UDP checksum
        PacketPtr p = pool.allocate();
        EXPECT_TRUE(p->append(f.size()));
        std::memcpy(p->data().data(), f.data(), f.size());
        return p;
    };
    host.nic.inject(corrupt());
    PacketPtr trusted = corrupt();
    trusted->set_checksum_verified(true); // what virtio-net DATA_VALID / AF_PACKET CSUM_VALID say
    host.nic.inject(std::move(trusted));
    host.poll(1s);
    EXPECT_EQ(sock.received(), 1u);
    EXPECT_EQ(host.iface->counters().drop(DropReason::BadChecksum), 1u);
}

TEST_F(StackTest, UdpEchoServerRepliesFromTheHandler) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(7));
    sock.on_receive([&](const UdpDatagram& d) { EXPECT_TRUE(sock.send_to(d.source, d.payload)); });
    host.nic.inject(udp_to_us(7, testing::bytes_of({1, 2, 3, 4})));
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    auto udp = frames[0].udp();
    ASSERT_TRUE(udp);
    EXPECT_EQ(udp->src_port(), 7);
    EXPECT_EQ(udp->dst_port(), 5555);
    EXPECT_TRUE(udp->verify_checksum(self, peer));
    EXPECT_EQ(udp->payload().size(), 4u);
}

TEST_F(StackTest, PortUnreachableQuotesTheDatagram) {
    host.nic.inject(udp_to_us(9999, testing::bytes_of({1, 2, 3, 4, 5, 6, 7, 8, 9, 10})));
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    auto icmp = frames[0].icmp();
    ASSERT_TRUE(icmp);
    EXPECT_TRUE(icmp->verify_checksum());
    EXPECT_EQ(icmp->type(), wire::icmp_type::dest_unreachable);
    EXPECT_EQ(icmp->code(), wire::unreachable_code::port);
    ASSERT_EQ(icmp->data().size(), 28u); // RFC 792: header + 64 bits
    auto quoted = wire::Ipv4View::wrap(icmp->data());
    EXPECT_EQ(quoted->dst(), self);
    EXPECT_EQ(wire::get16(icmp->data(), 22), 9999);
    EXPECT_EQ(host.iface->counters().drop(DropReason::NoSocket), 1u);
    EXPECT_EQ(host.stack.counters().icmp_errors_sent, 1u);
}

TEST_F(StackTest, NoIcmpErrorAboutBroadcasts) {
    host.nic.inject(testing::udp_frame(MacAddress::broadcast(), mac_of(2), peer, Ipv4Address::broadcast(), 5,
                                       9999, testing::bytes_of({1})));
    host.poll(1s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    EXPECT_EQ(host.iface->counters().drop(DropReason::NoSocket), 1u);
}

TEST_F(StackTest, IcmpErrorsAreRateLimited) {
    for (int i = 0; i < 80; ++i)
        host.nic.inject(udp_to_us(9999, testing::bytes_of({1})));
    host.poll(1s);
    EXPECT_EQ(host.nic.take_sent().size(), IcmpRateConfig{}.burst);
    EXPECT_EQ(host.stack.counters().icmp_rate_limited, 80u - IcmpRateConfig{}.burst);
    // Tokens come back with time (100 a second).
    for (int i = 0; i < 20; ++i)
        host.nic.inject(udp_to_us(9999, testing::bytes_of({1})));
    host.poll(1100ms);
    EXPECT_EQ(host.nic.take_sent().size(), 10u);
}

TEST_F(StackTest, SocketBindingRules) {
    UdpSocket a(host.stack), b(host.stack), c(host.stack);
    ASSERT_TRUE(a.bind(53));
    EXPECT_EQ(b.bind(53).error(), Error::AddressInUse);
    EXPECT_EQ(b.bind(53, self).error(), Error::AddressInUse);
    EXPECT_EQ(a.bind(54).error(), Error::InvalidArgument);
    ASSERT_TRUE(c.bind(0));
    EXPECT_GE(c.local().port, 49152);
    a.close();
    EXPECT_TRUE(b.bind(53, self));
    {
        UdpSocket scoped(host.stack);
        ASSERT_TRUE(scoped.bind(80));
    }
    UdpSocket again(host.stack);
    EXPECT_TRUE(again.bind(80));
    UdpSocket unbound(host.stack);
    EXPECT_EQ(unbound.send_to({peer, 1}, {}).error(), Error::NotConfigured);
}

TEST_F(StackTest, SendErrors) {
    UdpSocket s(host.stack);
    ASSERT_TRUE(s.bind(1000));
    EXPECT_EQ(s.send_to({{192, 168, 9, 9}, 1}, {}).error(), Error::NoRoute);
    EXPECT_EQ(s.send_to({Ipv4Address::broadcast(), 1}, {}).error(), Error::NoRoute);
    Bytes big(1500);
    EXPECT_EQ(s.send_to({peer, 1}, big).error(), Error::MessageTooLong);
    EXPECT_TRUE(s.send_to({Ipv4Address::broadcast(), 1}, big.size() > 0 ? std::span(big).first(10) : big,
                          *host.iface));
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_TRUE(frames[0].eth.dst.is_broadcast());
    host.nic.set_link_up(false);
    host.poll(1s);
    EXPECT_EQ(s.send_to({peer, 1}, {}).error(), Error::NoRoute); // the only route is down
    EXPECT_EQ(s.send_to({peer, 1}, {}, *host.iface).error(), Error::LinkDown);
}

TEST_F(StackTest, VlanSubInterfaces) {
    Interface* v10 = host.stack.add_vlan(*host.iface, 10).value();
    EXPECT_STREQ(v10->name(), "eth0.10");
    EXPECT_EQ(host.stack.add_vlan(*host.iface, 10).error(), Error::AddressInUse);
    EXPECT_EQ(host.stack.add_vlan(*host.iface, 4095).error(), Error::InvalidArgument);
    EXPECT_EQ(host.stack.add_vlan(*v10, 11).error(), Error::InvalidArgument);
    ASSERT_TRUE(v10->configure({10, 0, 10, 1}, {255, 255, 255, 0}));
    auto garp = frames_of(host.nic);
    ASSERT_EQ(garp.size(), 1u);
    EXPECT_EQ(garp[0].vlan_id, 10);

    const Ipv4Address vpeer{10, 0, 10, 2};
    host.nic.inject(
        testing::vlan_ethernet(MacAddress::broadcast(), mac_of(3), 10, wire::ethertype::arp,
                               testing::arp({wire::arp_op::request, mac_of(3), vpeer, {}, {10, 0, 10, 1}})));
    host.poll(1s);
    auto reply = frames_of(host.nic);
    ASSERT_EQ(reply.size(), 1u);
    EXPECT_EQ(reply[0].vlan_id, 10);
    ASSERT_TRUE(reply[0].arp());
    EXPECT_EQ(reply[0].arp()->operation, wire::arp_op::reply);

    Bytes echo = testing::echo_frame(mac_of(1), mac_of(3), vpeer, {10, 0, 10, 1}, 1, 2);
    Bytes inner(echo.begin() + 14, echo.end());
    host.nic.inject(testing::vlan_ethernet(mac_of(1), mac_of(3), 10, wire::ethertype::ipv4, inner));
    host.nic.inject(testing::vlan_ethernet(mac_of(1), mac_of(3), 99, wire::ethertype::ipv4, inner));
    host.poll(2s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].vlan_id, 10);
    EXPECT_EQ(frames[0].eth.dst, mac_of(3));
    ASSERT_TRUE(frames[0].icmp());
    EXPECT_EQ(frames[0].icmp()->type(), wire::icmp_type::echo_reply);
    EXPECT_EQ(host.iface->counters().drop(DropReason::UnknownVlan), 1u);
    EXPECT_EQ(v10->counters().rx_packets, 2u);
    EXPECT_EQ(v10->counters().tx_packets, 3u);
}

TEST_F(StackTest, PriorityTaggedFramesBelongToTheNic) {
    Bytes echo = testing::echo_frame(mac_of(1), mac_of(2), peer, self, 1, 2);
    host.nic.inject(testing::vlan_ethernet(mac_of(1), mac_of(2), 0, wire::ethertype::ipv4,
                                           Bytes(echo.begin() + 14, echo.end())));
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].vlan_id, 0);
    EXPECT_EQ(frames[0].eth.ethertype, wire::ethertype::ipv4);
}

struct Recorder {
    std::vector<PacketInfo> seen;
    Verdict verdict = Verdict::Accept;
    Verdict on_packet(PacketInfo& info) {
        seen.push_back(info);
        return verdict;
    }
};

TEST_F(StackTest, InputHookSeesParsedHeadersAndDecides) {
    Recorder prerouting, input;
    host.stack.hooks().set(HookPoint::Prerouting, prerouting);
    host.stack.hooks().set(HookPoint::Input, input);
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(7000));
    host.nic.inject(udp_to_us(7000, testing::bytes_of({1})));
    host.poll(1s);
    ASSERT_EQ(input.seen.size(), 1u);
    const PacketInfo& i = input.seen[0];
    EXPECT_EQ(i.hook, HookPoint::Input);
    EXPECT_EQ(i.in, host.iface);
    EXPECT_EQ(i.out, nullptr);
    EXPECT_EQ(i.protocol, wire::ip_proto::udp);
    EXPECT_TRUE(i.has_ports);
    EXPECT_EQ(i.src_port, 5555);
    EXPECT_EQ(i.dst_port, 7000);
    EXPECT_EQ(prerouting.seen.size(), 1u);
    EXPECT_EQ(sock.received(), 1u);

    input.verdict = Verdict::Drop;
    host.nic.inject(udp_to_us(7000, testing::bytes_of({1})));
    host.poll(2s);
    EXPECT_EQ(sock.received(), 1u);
    EXPECT_EQ(host.iface->counters().drop(DropReason::Filtered), 1u);
    EXPECT_TRUE(host.nic.take_sent().empty());

    input.verdict = Verdict::Reject;
    host.nic.inject(udp_to_us(7000, testing::bytes_of({1})));
    host.poll(3s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].icmp()->code(), wire::unreachable_code::admin_prohibited);
}

TEST_F(StackTest, OutputHookCanDropLocalTraffic) {
    Recorder output;
    output.verdict = Verdict::Drop;
    host.stack.hooks().set(HookPoint::Output, output);
    UdpSocket s(host.stack);
    ASSERT_TRUE(s.bind(1));
    EXPECT_EQ(s.send_to({peer, 2}, testing::bytes_of({1})).error(), Error::Filtered);
    ASSERT_EQ(output.seen.size(), 1u);
    EXPECT_EQ(output.seen[0].out, host.iface);
    EXPECT_EQ(output.seen[0].in, nullptr);
    EXPECT_EQ(output.seen[0].dst_port, 2);
    host.stack.hooks().clear(HookPoint::Output);
    EXPECT_TRUE(s.send_to({peer, 2}, testing::bytes_of({1})));
}

TEST_F(StackTest, ProtocolHandlersAndProtocolUnreachable) {
    wire::Ipv4Repr ip;
    ip.src = peer;
    ip.dst = self;
    ip.protocol = 132; // SCTP: no handler
    Bytes frame =
        testing::ethernet(mac_of(1), mac_of(2), wire::ethertype::ipv4, testing::ipv4(ip, Bytes(20)));
    host.nic.inject(frame);
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].icmp()->code(), wire::unreachable_code::protocol);

    // A handler takes its protocol, TCP too (which gets resets without one: see below).
    ip.protocol = wire::ip_proto::tcp;
    frame = testing::ethernet(mac_of(1), mac_of(2), wire::ethertype::ipv4, testing::ipv4(ip, Bytes(20)));
    int got = 0;
    ASSERT_TRUE(host.stack.set_protocol_handler(wire::ip_proto::tcp, [&](Interface& in, PacketPtr d) {
        EXPECT_EQ(&in, host.iface);
        EXPECT_EQ(d->size(), 40u);
        ++got;
    }));
    EXPECT_EQ(host.stack.set_protocol_handler(wire::ip_proto::udp, nullptr).error(), Error::AddressInUse);
    host.nic.inject(frame);
    host.poll(2s);
    EXPECT_EQ(got, 1);
    EXPECT_TRUE(host.nic.take_sent().empty());
}

// A TCP segment from peer:40000 to us:22 with `flags`, sequence numbers and payload; `corrupt` breaks its
// checksum.
Bytes tcp_to_us(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::size_t payload = 0,
                MacAddress dst_mac = mac_of(1), Ipv4Address dst = self, bool corrupt = false) {
    Bytes segment(wire::TcpView::min_header_len + payload, std::byte{0x61});
    EXPECT_TRUE((wire::TcpRepr{40000, 22, seq, ack, flags, 1024}.emit(segment, peer, dst)));
    if (corrupt) segment.back() ^= std::byte{1};
    wire::Ipv4Repr ip;
    ip.src = peer;
    ip.dst = dst;
    ip.protocol = wire::ip_proto::tcp;
    return testing::ethernet(dst_mac, mac_of(2), wire::ethertype::ipv4, testing::ipv4(ip, segment));
}

TEST_F(StackTest, TcpSynToAClosedPortIsReset) {
    host.nic.inject(tcp_to_us(wire::tcp_flag::syn, 1000, 0));
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    auto ip = frames[0].ip();
    auto tcp = frames[0].tcp();
    ASSERT_TRUE(ip && tcp);
    EXPECT_EQ(ip->src(), self);
    EXPECT_EQ(ip->dst(), peer);
    EXPECT_TRUE(tcp->verify_checksum(self, peer));
    // RFC 9293 3.10.7.1, no ACK in the segment: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, the SYN counted.
    EXPECT_EQ(tcp->src_port(), 22);
    EXPECT_EQ(tcp->dst_port(), 40000);
    EXPECT_EQ(tcp->flags(), wire::tcp_flag::rst | wire::tcp_flag::ack);
    EXPECT_EQ(tcp->seq(), 0u);
    EXPECT_EQ(tcp->ack(), 1001u);
    EXPECT_EQ(host.stack.counters().tcp_resets_sent, 1u);
    EXPECT_EQ(host.iface->counters().drop(DropReason::NoSocket), 1u);
}

TEST_F(StackTest, TcpSegmentWithAckIsResetAtItsAcknowledgement) {
    // Data and FIN, ACK set: <SEQ=SEG.ACK><CTL=RST>.
    host.nic.inject(
        tcp_to_us(wire::tcp_flag::ack | wire::tcp_flag::psh | wire::tcp_flag::fin, 0xfffffffe, 77777, 5));
    // No ACK, data and FIN: the acknowledgement covers both (and wraps).
    host.nic.inject(tcp_to_us(wire::tcp_flag::fin, 0xfffffffe, 0, 5));
    host.poll(1s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].tcp()->flags(), wire::tcp_flag::rst);
    EXPECT_EQ(frames[0].tcp()->seq(), 77777u);
    EXPECT_EQ(frames[1].tcp()->flags(), wire::tcp_flag::rst | wire::tcp_flag::ack);
    EXPECT_EQ(frames[1].tcp()->ack(), 4u); // 0xfffffffe + 5 + 1
}

TEST_F(StackTest, NoResetForAResetABroadcastOrABadChecksum) {
    host.nic.inject(tcp_to_us(wire::tcp_flag::rst, 1, 0));
    host.nic.inject(tcp_to_us(wire::tcp_flag::syn, 1, 0, 0, MacAddress::broadcast()));
    host.nic.inject(tcp_to_us(wire::tcp_flag::syn, 1, 0, 0, mac_of(1), Ipv4Address{10, 0, 0, 255}));
    host.nic.inject(tcp_to_us(wire::tcp_flag::syn, 1, 0, 4, mac_of(1), self, true));
    host.poll(1s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    EXPECT_EQ(host.stack.counters().tcp_resets_sent, 0u);
    EXPECT_EQ(host.iface->counters().drop(DropReason::BadChecksum), 1u);
    EXPECT_EQ(host.iface->counters().drop(DropReason::NoSocket), 3u);
}

TEST_F(StackTest, FragmentedDatagramIsReassembledForTheSocket) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(7000));
    std::size_t got = 0;
    sock.on_receive([&](const UdpDatagram& d) { got = d.payload.size(); });
    Bytes payload(100, std::byte{0x5a});
    Bytes datagram = testing::udp(peer, self, 1, 7000, payload); // 108 bytes
    auto send_fragment = [&](std::size_t off, std::size_t len, bool more) {
        wire::Ipv4Repr ip;
        ip.src = peer;
        ip.dst = self;
        ip.protocol = wire::ip_proto::udp;
        ip.identification = 77;
        Bytes b = testing::ipv4(ip, Bytes(datagram.begin() + off, datagram.begin() + off + len));
        wire::put16(b, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | off / 8));
        wire::Ipv4View::wrap(b)->fill_checksum();
        host.nic.inject(testing::ethernet(mac_of(1), mac_of(2), wire::ethertype::ipv4, b));
    };
    send_fragment(56, 52, false);
    send_fragment(0, 56, true);
    host.poll(1s);
    EXPECT_EQ(got, 100u);
    EXPECT_EQ(host.stack.counters().reassembled, 1u);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(StackTest, ReassemblyTimeoutSendsTimeExceeded) {
    wire::Ipv4Repr ip;
    ip.src = peer;
    ip.dst = self;
    ip.protocol = wire::ip_proto::udp;
    ip.identification = 5;
    Bytes b = testing::ipv4(ip, Bytes(16));
    wire::put16(b, 6, 0x2000);
    wire::Ipv4View::wrap(b)->fill_checksum();
    host.nic.inject(testing::ethernet(mac_of(1), mac_of(2), wire::ethertype::ipv4, b));
    host.poll(1s);
    EXPECT_EQ(host.stack.poll_at(), at(31s));
    host.poll(31s);
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].icmp()->type(), wire::icmp_type::time_exceeded);
    EXPECT_EQ(frames[0].icmp()->code(), wire::time_exceeded_code::reassembly);
    EXPECT_EQ(host.stack.counters().drop(DropReason::ReassemblyTimeout), 1u);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(StackTest, PollBudgetAndPollAt) {
    UdpSocket sock(host.stack);
    ASSERT_TRUE(sock.bind(7000));
    const std::size_t n = StackConfig{}.rx_batches_per_poll * PacketBatch::capacity + 10;
    for (std::size_t i = 0; i < n; ++i)
        host.nic.inject(udp_to_us(7000, testing::bytes_of({1})));
    host.poll(1s);
    EXPECT_EQ(host.stack.poll_at(), at(1s)); // more to do now
    EXPECT_EQ(host.nic.pending_rx(), 10u);
    host.poll(1s);
    EXPECT_EQ(sock.received(), n);
    EXPECT_FALSE(host.stack.poll_at());
}

TEST_F(StackTest, TxQueueFullIsCounted) {
    host.nic.set_tx_limit(0);
    host.nic.inject(testing::echo_frame(mac_of(1), mac_of(2), peer, self, 1, 1));
    host.poll(1s);
    EXPECT_EQ(host.iface->counters().drop(DropReason::TxQueueFull), 1u);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(StackTest, SendQueueHoldsWhatTheNicRefusesInOrder) {
    ASSERT_TRUE(host.iface->set_send_queue_limit(3));
    EXPECT_EQ(host.iface->send_queue_limit(), 3u);
    host.nic.set_tx_limit(0); // the device's ring is full
    for (std::uint16_t seq = 1; seq <= 5; ++seq)
        ASSERT_TRUE(host.stack.send_echo_request(peer, 7, seq));
    // The queue holds the first 3, the other 2 are dropped and counted.
    EXPECT_EQ(host.iface->send_queue_length(), 3u);
    EXPECT_EQ(host.iface->counters().drop(DropReason::TxQueueFull), 2u);
    EXPECT_TRUE(host.nic.sent().empty());
    auto retry = host.stack.poll_at(); // a retry is scheduled while frames wait
    ASSERT_TRUE(retry);
    host.nic.set_tx_limit(2); // the ring drains a little: 2 go out, 1 keeps waiting, first in line
    host.poll(1s);
    EXPECT_EQ(host.iface->send_queue_length(), 1u);
    ASSERT_TRUE(host.stack.send_echo_request(peer, 7, 6)); // waits behind it
    host.nic.set_tx_limit(64);
    host.poll(2s);
    EXPECT_EQ(host.iface->send_queue_length(), 0u);
    EXPECT_FALSE(host.stack.poll_at());
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 4u);
    const std::uint32_t expected[] = {1, 2, 3, 6}; // in the order they were sent
    for (std::size_t i = 0; i < frames.size(); ++i)
        EXPECT_EQ(frames[i].icmp()->rest_of_header() & 0xffff, expected[i]);
    EXPECT_EQ(pool.available(), pool.count());
}

TEST_F(StackTest, NicLimitsRefuseZero) {
    EXPECT_FALSE(host.iface->set_send_queue_limit(0));
    EXPECT_FALSE(host.iface->set_buffer_limit(0));
    EXPECT_TRUE(host.iface->set_buffer_limit(16));
}

TEST_F(StackTest, DropsFramesForOtherMacs) {
    host.nic.inject(testing::echo_frame(mac_of(7), mac_of(2), peer, self, 1, 1));
    host.poll(1s);
    EXPECT_TRUE(host.nic.take_sent().empty());
    EXPECT_EQ(host.iface->counters().drop(DropReason::NotForUs), 1u);
}

TEST_F(StackTest, EchoRequestAndIcmpEvents) {
    std::vector<IcmpEvent> events;
    host.stack.on_icmp([&](const IcmpEvent& e) { events.push_back(e); });
    ASSERT_TRUE(host.stack.send_echo_request(peer, 9, 1, testing::bytes_of({1, 2})));
    auto frames = frames_of(host.nic);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].icmp()->type(), wire::icmp_type::echo_request);
    // The peer answers.
    Bytes reply_icmp =
        testing::icmp(wire::icmp_type::echo_reply, 0, (9u << 16) | 1, testing::bytes_of({1, 2}));
    wire::Ipv4Repr ip;
    ip.src = peer;
    ip.dst = self;
    ip.protocol = wire::ip_proto::icmp;
    host.nic.inject(
        testing::ethernet(mac_of(1), mac_of(2), wire::ethertype::ipv4, testing::ipv4(ip, reply_icmp)));
    host.poll(1s);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].type, wire::icmp_type::echo_reply);
    EXPECT_EQ(events[0].source, peer);
    EXPECT_EQ(events[0].rest_of_header, (9u << 16) | 1);
}

TEST(DefaultStack, InterfacesAreReachableGlobally) {
    PacketPool pool(8);
    testing::FakeNic nic0(pool, mac_of(1)), nic1(pool, mac_of(2));
    EXPECT_TRUE(net::interfaces().empty());
    {
        Stack stack(pool);
        ASSERT_TRUE(stack.add_interface(nic0));
        ASSERT_TRUE(stack.add_interface(nic1));
        set_default_stack(&stack);
        ASSERT_EQ(net::interfaces().size(), 2u);
        EXPECT_TRUE(net::interfaces()[0].configure({10, 0, 0, 1}, {255, 255, 255, 0}, {10, 0, 0, 254}));
        EXPECT_STREQ(net::interfaces()[1].name(), "eth1");
        EXPECT_EQ(net::interfaces()[0].gateway(), (Ipv4Address{10, 0, 0, 254}));
    }
    EXPECT_TRUE(net::interfaces().empty()); // the stack unregistered itself
}

} // namespace
} // namespace net::test
