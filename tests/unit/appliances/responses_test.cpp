// Reject's answers built by the appliance: the TCP reset (RFC 9293 3.10.7.1) and ICMP fragmentation
// needed (RFC 1191), sent through a stack on a fake NIC and checked on the wire.
#include "appliance/responses.hpp"

#include "support.hpp"

#include "net/testing/fake_nic.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/ethernet.hpp"

#include <gtest/gtest.h>

namespace appliance {
namespace {

using namespace test;

const net::Ipv4Address client = ip(10, 0, 0, 2), server = ip(192, 0, 2, 80);

TEST(Reset, ForASynAcknowledgesIt) {
    Bytes b = tcp_segment(client, server, 4000, 23, syn, 1000);
    auto r = net::tcp_reset_for(view(b));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->ip.src, server); // from the refused destination
    EXPECT_EQ(r->ip.dst, client);
    EXPECT_EQ(r->tcp.src_port, 23);
    EXPECT_EQ(r->tcp.dst_port, 4000);
    EXPECT_EQ(r->tcp.flags, rst | ack);
    EXPECT_EQ(r->tcp.seq, 0u);
    EXPECT_EQ(r->tcp.ack, 1001u); // SEG.SEQ + SEG.LEN, the SYN counting one
}

TEST(Reset, ForDataWithFinCountsBoth) {
    Bytes b = tcp_segment(client, server, 4000, 23, fin | psh, 5000, 0, 10);
    auto r = net::tcp_reset_for(view(b));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->tcp.ack, 5011u);
}

TEST(Reset, ForAnAckTakesItsSequenceFromIt) {
    Bytes b = tcp_segment(client, server, 4000, 23, ack | psh, 5000, 777, 10);
    auto r = net::tcp_reset_for(view(b));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->tcp.flags, rst);
    EXPECT_EQ(r->tcp.seq, 777u);
}

TEST(Reset, NeverForAResetNorWithoutAHeader) {
    Bytes b = tcp_segment(client, server, 4000, 23, rst | ack, 5000, 777);
    EXPECT_FALSE(net::tcp_reset_for(view(b)));
    Bytes u = udp_datagram(client, server, 1, 2);
    EXPECT_FALSE(net::tcp_reset_for(view(u)));
}

struct Host {
    net::PacketPool pool{64};
    net::testing::FakeNic nic{pool, {{2, 0, 0, 0, 0, 1}}};
    net::Stack stack{pool};
    Host() {
        auto i = stack.add_interface(nic).value();
        EXPECT_TRUE(i->configure(server, ip(255, 255, 255, 0), ip(192, 0, 2, 1)));
        stack.poll(at(1s));
        nic.take_sent(); // gratuitous ARP
    }
    // The IPv4 datagram of the one frame sent (the next hop's ARP answered beforehand).
    Bytes sent_datagram() {
        auto frames = nic.take_sent();
        for (auto& f : frames) {
            auto eth = net::wire::EthernetView::parse(f);
            if (eth && eth->ethertype() == net::wire::ethertype::ipv4) {
                auto p = eth->payload();
                auto v = net::wire::Ipv4View::parse(p);
                return Bytes(p.begin(), p.begin() + v.view->total_length());
            }
        }
        return {};
    }
    void learn_gateway() {
        net::wire::ArpRepr a;
        a.operation = net::wire::arp_op::reply;
        a.sender_mac = {{2, 0, 0, 0, 0, 9}};
        a.sender_ip = ip(192, 0, 2, 1);
        a.target_mac = nic.mac();
        a.target_ip = server;
        nic.inject(
            net::testing::ethernet(nic.mac(), a.sender_mac, net::wire::ethertype::arp, net::testing::arp(a)));
        stack.poll(at(1s));
    }
};

TEST(Responder, SendsTheResetOnTheWire) {
    Host h;
    h.learn_gateway();
    Responder r(h.stack);
    Bytes b = tcp_segment(client, server, 4000, 23, syn, 1000);
    ASSERT_TRUE(r.send_reset(view(b)));
    Bytes out = h.sent_datagram();
    ASSERT_FALSE(out.empty());
    EXPECT_TRUE(checksums_ok(out));
    auto v = view(out);
    EXPECT_EQ(v.src(), server);
    EXPECT_EQ(v.dst(), client);
    auto t = net::wire::TcpView::parse(v.payload());
    EXPECT_EQ(t->flags(), rst | ack);
    EXPECT_EQ(t->ack(), 1001u);
    EXPECT_EQ(r.counters().resets, 1u);
}

TEST(Responder, FragmentationNeededQuotesHeaderAndEightBytes) {
    Host h;
    h.learn_gateway();
    Responder r(h.stack);
    Bytes big = udp_datagram(client, ip(198, 51, 100, 7), 4000, 53, 1000);
    ASSERT_TRUE(r.send_fragmentation_needed(view(big), 1400));
    Bytes out = h.sent_datagram();
    ASSERT_FALSE(out.empty());
    EXPECT_TRUE(checksums_ok(out));
    auto i = net::wire::IcmpView::parse(view(out).payload());
    EXPECT_EQ(i->type(), 3);
    EXPECT_EQ(i->code(), 4);
    EXPECT_EQ(i->rest_of_header() & 0xffff, 1400u);
    EXPECT_EQ(i->data().size(), 28u);
}

TEST(Responder, NoAnswerToBroadcastsOrOurselvesAndRateLimited) {
    Host h;
    h.learn_gateway();
    Responder r(h.stack);
    Bytes bcast = tcp_segment(client, ip(255, 255, 255, 255), 1, 2, syn);
    EXPECT_FALSE(r.send_reset(view(bcast)));
    Bytes mine = tcp_segment(server, client, 1, 2, syn);
    EXPECT_FALSE(r.send_reset(view(mine)));
    EXPECT_EQ(r.counters().not_sent, 2u);
    Bytes b = tcp_segment(client, server, 4000, 23, syn, 1000);
    int sent = 0;
    for (int i = 0; i < 200; ++i)
        sent += r.send_reset(view(b)) ? 1 : 0;
    EXPECT_EQ(sent, 50); // the burst of net's ICMP token bucket
    EXPECT_EQ(r.counters().rate_limited, 150u);
}

} // namespace
} // namespace appliance
