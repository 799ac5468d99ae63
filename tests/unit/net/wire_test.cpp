// Wire views and reprs: parse what emit wrote, reject what is too short, read fields in network order.
#include "net/testing/frames.hpp"
#include "net/wire/arp.hpp"
#include "net/wire/dhcp.hpp"
#include "net/wire/ethernet.hpp"
#include "net/wire/icmp.hpp"
#include "net/wire/ipv4.hpp"
#include "net/wire/tcp.hpp"
#include "net/wire/udp.hpp"

#include <gtest/gtest.h>

namespace net::wire {
namespace {

using testing::Bytes;
using testing::bytes_of;

constexpr MacAddress mac1{{0x02, 0, 0, 0, 0, 1}};
constexpr MacAddress mac2{{0x02, 0, 0, 0, 0, 2}};

TEST(Ethernet, ParseEmitRoundTrip) {
    Bytes f = testing::ethernet(mac2, mac1, ethertype::ipv4, bytes_of({1, 2, 3}));
    ASSERT_EQ(f.size(), 17u);
    EXPECT_EQ(f[12], std::byte{0x08}); // network byte order
    auto v = EthernetView::parse(f);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->dst(), mac2);
    EXPECT_EQ(v->src(), mac1);
    EXPECT_EQ(v->ethertype(), ethertype::ipv4);
    EXPECT_EQ(v->payload().size(), 3u);
    EXPECT_EQ((EthernetRepr{mac2, mac1, ethertype::ipv4}), EthernetRepr::parse(*v));
    Bytes shortf(13);
    EXPECT_FALSE(EthernetView::parse(shortf));
}

TEST(Vlan, TagFields) {
    Bytes f = testing::vlan_ethernet(mac2, mac1, 100, ethertype::arp, bytes_of({9}));
    auto eth = EthernetView::parse(f);
    ASSERT_EQ(eth->ethertype(), ethertype::vlan);
    auto tag = VlanView::parse(eth->payload());
    ASSERT_TRUE(tag);
    EXPECT_EQ(tag->vlan_id(), 100);
    EXPECT_EQ(tag->ethertype(), ethertype::arp);
    EXPECT_EQ(tag->priority(), 0);
    EXPECT_EQ(tag->payload().size(), 1u);
    Bytes t = bytes_of({0xff, 0xff, 0x08, 0x00});
    auto all = VlanView::parse(t);
    EXPECT_EQ(all->vlan_id(), 0xfff);
    EXPECT_EQ(all->priority(), 7);
    EXPECT_TRUE(all->drop_eligible());
    EXPECT_FALSE(VlanView::parse(std::span<std::byte>(t).first(3)));
}

TEST(Arp, RoundTripAndValidation) {
    ArpRepr r{arp_op::reply, mac1, {10, 0, 0, 1}, mac2, {10, 0, 0, 2}};
    Bytes b = testing::arp(r);
    auto v = ArpView::parse(b);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->is_ethernet_ipv4());
    EXPECT_EQ(ArpRepr::parse(*v), r);
    // Truncated: the header announces 6+4 byte addresses that are not all there.
    EXPECT_FALSE(ArpView::parse(std::span<std::byte>(b).first(27)));
    EXPECT_FALSE(ArpView::parse(std::span<std::byte>(b).first(7)));
    // Another hardware type parses as a view but has no Ethernet/IPv4 repr.
    b[1] = std::byte{6};
    auto other = ArpView::parse(b);
    ASSERT_TRUE(other);
    EXPECT_FALSE(ArpRepr::parse(*other));
}

TEST(Ipv4, ReprRoundTrip) {
    Ipv4Repr r;
    r.src = {192, 168, 1, 1};
    r.dst = {8, 8, 8, 8};
    r.protocol = ip_proto::udp;
    r.ttl = 17;
    r.tos = 0x10;
    r.identification = 0xbeef;
    r.dont_fragment = true;
    Bytes b = testing::ipv4(r, bytes_of({1, 2, 3, 4, 5}));
    auto p = Ipv4View::parse(b);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p.view->verify_checksum());
    r.payload_len = 5;
    EXPECT_EQ(Ipv4Repr::parse(*p.view), r);
    EXPECT_EQ(p.view->header_len(), 20u);
    EXPECT_FALSE(p.view->is_fragment());
    EXPECT_EQ(p.view->payload().size(), 5u);
}

TEST(Ipv4, ParseErrors) {
    Ipv4Repr r;
    r.protocol = 17;
    Bytes good = testing::ipv4(r, bytes_of({1, 2, 3, 4}));
    EXPECT_EQ(Ipv4View::parse(std::span<std::byte>(good).first(19)).error, Ipv4ParseError::Truncated);
    Bytes v6 = good;
    v6[0] = std::byte{0x65};
    EXPECT_EQ(Ipv4View::parse(v6).error, Ipv4ParseError::BadVersion);
    Bytes ihl = good;
    ihl[0] = std::byte{0x44};
    EXPECT_EQ(Ipv4View::parse(ihl).error, Ipv4ParseError::BadHeaderLen);
    Bytes long_ihl = good;
    long_ihl[0] = std::byte{0x4f}; // 60 bytes of header in a 24-byte datagram
    EXPECT_EQ(Ipv4View::parse(long_ihl).error, Ipv4ParseError::Truncated);
    Bytes total = good;
    total[3] = std::byte{25};
    EXPECT_EQ(Ipv4View::parse(total).error, Ipv4ParseError::BadTotalLen);
    total[3] = std::byte{19};
    EXPECT_EQ(Ipv4View::parse(total).error, Ipv4ParseError::BadTotalLen);
    // Trailing link padding is cut off by the view.
    Bytes padded = good;
    padded.resize(60);
    EXPECT_EQ(Ipv4View::parse(padded).view->bytes().size(), 24u);
}

TEST(Ipv4, OptionsAndFragmentFields) {
    Bytes b = bytes_of({0x46, 0,    0,    28, 0x12,
                        0x34, 0x20, 0x03, 64, 17,
                        0,    0,    10,   0,  0,
                        1,    10,   0,    0,  2,
                        1,    1,    1,    0,  /* options: NOP NOP NOP EOL */ 0xaa,
                        0xbb, 0xcc, 0xdd});
    auto v = Ipv4View::parse(b).view;
    ASSERT_TRUE(v);
    v->fill_checksum();
    EXPECT_TRUE(v->verify_checksum());
    EXPECT_EQ(v->header_len(), 24u);
    EXPECT_EQ(v->options().size(), 4u);
    EXPECT_TRUE(v->more_fragments());
    EXPECT_EQ(v->fragment_offset(), 24u);
    EXPECT_EQ(v->payload().size(), 4u);
    EXPECT_EQ(v->identification(), 0x1234);
}

TEST(Ipv4, DecrementTtlAndAddressesKeepChecksumValid) {
    Ipv4Repr r;
    r.src = {10, 1, 2, 3};
    r.dst = {10, 3, 2, 1};
    r.ttl = 64;
    r.protocol = 6;
    Bytes b = testing::ipv4(r, {});
    auto v = Ipv4View::parse(b).view;
    for (int i = 0; i < 63; ++i) {
        v->decrement_ttl();
        ASSERT_TRUE(v->verify_checksum()) << i;
    }
    EXPECT_EQ(v->ttl(), 1);
    v->set_src({172, 16, 0, 9});
    v->set_dst({255, 255, 255, 255});
    EXPECT_TRUE(v->verify_checksum());
    EXPECT_EQ(v->src(), (Ipv4Address{172, 16, 0, 9}));
}

TEST(Icmp, EchoRoundTripAndSetType) {
    Bytes m = testing::icmp(icmp_type::echo_request, 0, 0x12340005, bytes_of({'a', 'b', 'c'}));
    auto v = IcmpView::parse(m);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->verify_checksum());
    EXPECT_EQ(v->echo_identifier(), 0x1234);
    EXPECT_EQ(v->echo_sequence(), 5);
    v->set_type(icmp_type::echo_reply);
    EXPECT_TRUE(v->verify_checksum());
    EXPECT_EQ((IcmpRepr{icmp_type::echo_reply, 0, 0x12340005}), IcmpRepr::parse(*v));
    EXPECT_FALSE(IcmpView::parse(std::span<std::byte>(m).first(7)));
    EXPECT_TRUE(icmp_type::is_error(icmp_type::time_exceeded));
    EXPECT_FALSE(icmp_type::is_error(icmp_type::echo_request));
}

TEST(Udp, RoundTripChecksumAndLength) {
    const Ipv4Address a{10, 0, 0, 1}, b{10, 0, 0, 2};
    Bytes d = testing::udp(a, b, 5000, 53, bytes_of({1, 2, 3, 4, 5}));
    auto v = UdpView::parse(d);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->length(), 13);
    EXPECT_TRUE(v->verify_checksum(a, b));
    EXPECT_FALSE(v->verify_checksum(a, Ipv4Address{10, 0, 0, 3}));
    EXPECT_EQ((UdpRepr{5000, 53}), UdpRepr::parse(*v));
    // RFC 768: zero means "no checksum".
    Bytes none = d;
    none[6] = none[7] = std::byte{0};
    EXPECT_TRUE(UdpView::parse(none)->verify_checksum(a, Ipv4Address{1, 2, 3, 4}));
    Bytes bad_len = d;
    bad_len[5] = std::byte{14};
    EXPECT_FALSE(UdpView::parse(bad_len));
    bad_len[5] = std::byte{7};
    EXPECT_FALSE(UdpView::parse(bad_len));
    EXPECT_FALSE(UdpView::parse(std::span<std::byte>(d).first(7)));
}

TEST(Tcp, RoundTripAndDataOffset) {
    const Ipv4Address a{10, 0, 0, 1}, b{10, 0, 0, 2};
    Bytes seg(24);
    seg[20] = std::byte{'x'};
    TcpRepr r{40000, 80, 0x01020304, 0x0a0b0c0d, tcp_flag::syn | tcp_flag::ack, 65535};
    ASSERT_TRUE(r.emit(seg, a, b));
    auto v = TcpView::parse(seg);
    ASSERT_TRUE(v);
    EXPECT_EQ(TcpRepr::parse(*v), r);
    EXPECT_TRUE(v->verify_checksum(a, b));
    EXPECT_EQ(v->payload().size(), 4u);
    seg[12] = std::byte{0x40}; // data offset 4 words: below the minimum
    EXPECT_FALSE(TcpView::parse(seg));
    seg[12] = std::byte{0x70}; // 28 bytes of header in 24
    EXPECT_FALSE(TcpView::parse(seg));
}

TEST(Dhcp, RoundTripAndOptionWalk) {
    DhcpRepr r;
    r.op = 2;
    r.message_type = dhcp_msg::ack;
    r.xid = 0xdeadbeef;
    r.yiaddr = {10, 0, 0, 50};
    r.client_mac = mac1;
    r.server_id = Ipv4Address{10, 0, 0, 1};
    r.subnet_mask = Ipv4Address{255, 255, 255, 0};
    r.router = Ipv4Address{10, 0, 0, 1};
    r.lease_time = 3600;
    Bytes b(DhcpRepr::max_emit_len);
    const std::size_t n = r.emit(b);
    ASSERT_GE(n, DhcpRepr::min_len);
    b.resize(n);
    auto v = DhcpView::parse(b);
    ASSERT_TRUE(v);
    auto back = DhcpRepr::parse(*v);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->message_type, dhcp_msg::ack);
    EXPECT_EQ(back->xid, 0xdeadbeefu);
    EXPECT_EQ(back->yiaddr, (Ipv4Address{10, 0, 0, 50}));
    EXPECT_EQ(back->client_mac, mac1);
    EXPECT_EQ(back->router, r.router);
    EXPECT_EQ(back->lease_time, r.lease_time);
    EXPECT_FALSE(back->renewal_time);
    // An option whose length runs past the end is not read.
    Bytes cut = b;
    cut.resize(DhcpView::options_offset + 3);
    auto cv = DhcpView::parse(cut);
    ASSERT_TRUE(cv);
    cut[DhcpView::options_offset + 1] = std::byte{40};
    EXPECT_FALSE(cv->option(53));
    Bytes no_cookie = b;
    no_cookie[236] = std::byte{0};
    EXPECT_FALSE(DhcpView::parse(no_cookie));
    EXPECT_FALSE(DhcpView::parse(std::span<std::byte>(b).first(239)));
}

TEST(Addresses, ParseAndCidr) {
    EXPECT_EQ(Ipv4Address::parse("10.0.0.1"), (Ipv4Address{10, 0, 0, 1}));
    EXPECT_FALSE(Ipv4Address::parse("10.0.0"));
    EXPECT_FALSE(Ipv4Address::parse("10.0.0.256"));
    EXPECT_FALSE(Ipv4Address::parse("10.0.0.1 "));
    EXPECT_FALSE(Ipv4Address::parse("1000.0.0.1"));
    EXPECT_EQ(Ipv4Cidr::prefix_of({255, 255, 255, 0}), 24);
    EXPECT_EQ(Ipv4Cidr::prefix_of({0, 0, 0, 0}), 0);
    EXPECT_EQ(Ipv4Cidr::prefix_of({255, 255, 255, 255}), 32);
    EXPECT_FALSE(Ipv4Cidr::prefix_of({255, 0, 255, 0}));
    Ipv4Cidr c{{192, 168, 7, 9}, 20};
    EXPECT_EQ(c.network(), (Ipv4Address{192, 168, 0, 0}));
    EXPECT_EQ(c.directed_broadcast(), (Ipv4Address{192, 168, 15, 255}));
    EXPECT_TRUE(c.contains({192, 168, 15, 1}));
    EXPECT_FALSE(c.contains({192, 168, 16, 1}));
    EXPECT_TRUE((Ipv4Cidr{{}, 0}).contains({1, 2, 3, 4}));
}

} // namespace
} // namespace net::wire
