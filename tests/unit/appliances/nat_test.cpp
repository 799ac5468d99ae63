// NAT: rewriting datagrams with incremental checksum updates, verified by recomputing every checksum from
// scratch; ICMP errors quoting a translated datagram; and the bindings (port preservation, allocation,
// clashes).
#include "appliance/conntrack/classify.hpp"
#include "appliance/conntrack/tracker.hpp"
#include "appliance/nat/rewrite.hpp"
#include "appliance/nat/translator.hpp"

#include "support.hpp"

#include <gtest/gtest.h>
#include <random>
#include <set>

namespace appliance::nat {
namespace {

using namespace test;
using conntrack::Dir;

const net::Ipv4Address inside = ip(10, 0, 0, 2), outside = ip(192, 0, 2, 80), public_ip = ip(203, 0, 113, 2);

TEST(Rewrite, TcpSourceAddressAndPort) {
    Bytes b = tcp_segment(inside, outside, 4000, 80, ack | psh, 1, 2, 33);
    rewrite(view(b), Side::Source, {public_ip.value, 61000});
    EXPECT_TRUE(checksums_ok(b));
    EXPECT_EQ(view(b).src(), public_ip);
    EXPECT_EQ((endpoint_of(view(b), Side::Source)), (Endpoint{public_ip.value, 61000}));
    EXPECT_EQ((endpoint_of(view(b), Side::Destination)), (Endpoint{outside.value, 80}));
}

TEST(Rewrite, UdpDestinationAndTheZeroChecksum) {
    Bytes b = udp_datagram(outside, public_ip, 53, 8053, 7); // odd payload length
    rewrite(view(b), Side::Destination, {inside.value, 53});
    EXPECT_TRUE(checksums_ok(b));
    EXPECT_EQ(view(b).dst(), inside);
    // RFC 768: a datagram sent without a checksum keeps none.
    Bytes z = udp_datagram(outside, public_ip, 53, 8053);
    net::wire::put16(std::span<std::byte>(z).subspan(20), 6, 0);
    rewrite(view(z), Side::Destination, {inside.value, 53});
    EXPECT_EQ(net::wire::get16(std::span<const std::byte>(z).subspan(20), 6), 0);
}

TEST(Rewrite, IcmpQueryIdentifierOnTheSideThatCarriesIt) {
    Bytes req = echo(inside, outside, true, 77);
    rewrite(view(req), Side::Source, {public_ip.value, 1234});
    EXPECT_TRUE(checksums_ok(req));
    EXPECT_EQ(endpoint_of(view(req), Side::Source).port, 1234);
    // A request has no destination "port": nothing but the address changes.
    Bytes req2 = echo(inside, outside, true, 77);
    rewrite(view(req2), Side::Destination, {inside.value, 999});
    EXPECT_EQ(endpoint_of(view(req2), Side::Source).port, 77);
    EXPECT_TRUE(checksums_ok(req2));
    Bytes rep = echo(outside, public_ip, false, 1234);
    rewrite(view(rep), Side::Destination, {inside.value, 77});
    EXPECT_TRUE(checksums_ok(rep));
    EXPECT_EQ(endpoint_of(view(rep), Side::Destination).port, 77);
}

TEST(Rewrite, LaterFragmentsChangeOnlyTheAddress) {
    Bytes b = udp_datagram(inside, outside, 4000, 53, 40);
    net::wire::put16(b, 6, 0x0003); // offset 24 bytes: a later fragment
    view(b).fill_checksum();
    const Bytes before(b.begin() + 20, b.end());
    rewrite(view(b), Side::Source, {public_ip.value, 1});
    EXPECT_TRUE(view(b).verify_checksum());
    EXPECT_EQ(view(b).src(), public_ip);
    EXPECT_EQ(Bytes(b.begin() + 20, b.end()), before);
}

TEST(Rewrite, RandomRewritesAgreeWithRecomputation) {
    std::mt19937 rng(11);
    for (int i = 0; i < 2000; ++i) {
        const net::Ipv4Address s{static_cast<std::uint32_t>(rng())}, d{static_cast<std::uint32_t>(rng())};
        const auto sp = static_cast<std::uint16_t>(rng()), dp = static_cast<std::uint16_t>(rng());
        Bytes b = i % 2 ? tcp_segment(s, d, sp, dp, ack, rng(), rng(), rng() % 50)
                        : udp_datagram(s, d, sp, dp, rng() % 50);
        const Side side = rng() % 2 ? Side::Source : Side::Destination;
        rewrite(view(b), side, {static_cast<std::uint32_t>(rng()), static_cast<std::uint16_t>(rng())});
        ASSERT_TRUE(checksums_ok(b)) << i;
    }
}

TEST(RewriteIcmpError, QuotedDatagramAndOuterAddressFollow) {
    // A server's port unreachable about a masqueraded datagram, translated back for the inside client.
    const Bytes sent = udp_datagram(public_ip, outside, 61000, 53);
    Bytes err = icmp_error(outside, public_ip, 3, 3, sent);
    EXPECT_EQ((quoted_endpoint_of(view(err), Side::Destination)), (Endpoint{public_ip.value, 61000}));
    rewrite_icmp_error(view(err), Side::Destination, {inside.value, 4000});
    EXPECT_TRUE(checksums_ok(err));
    EXPECT_EQ(view(err).dst(), inside);
    EXPECT_EQ((quoted_endpoint_of(view(err), Side::Destination)), (Endpoint{inside.value, 4000}));
    EXPECT_EQ(view(err).src(), outside); // the sender of the error is left alone
}

TEST(RewriteIcmpError, TcpQuoteOnTheSourceSide) {
    // A server behind a port forward refuses; its error leaves translated as from the public address.
    const Bytes sent = tcp_segment(outside, inside, 5555, 80, syn, 77, 0, 4);
    Bytes err = icmp_error(inside, outside, 3, 13, sent);
    rewrite_icmp_error(view(err), Side::Source, {public_ip.value, 8080});
    EXPECT_TRUE(checksums_ok(err));
    EXPECT_EQ(view(err).src(), public_ip); // it came from the endpoint itself
    EXPECT_EQ((quoted_endpoint_of(view(err), Side::Source)), (Endpoint{public_ip.value, 8080}));
}

TEST(RewriteIcmpError, ShortQuotesAndQuotedEchoes) {
    Bytes short_quote =
        icmp_error(ip(198, 51, 100, 1), public_ip, 11, 0, udp_datagram(public_ip, outside, 61000, 53), 28);
    rewrite_icmp_error(view(short_quote), Side::Destination, {inside.value, 4000});
    EXPECT_TRUE(checksums_ok(short_quote));
    EXPECT_EQ(view(short_quote).src(), ip(198, 51, 100, 1)); // a router on the path stays named
    Bytes about_ping = icmp_error(ip(198, 51, 100, 1), public_ip, 11, 0, echo(public_ip, outside, true, 999));
    rewrite_icmp_error(view(about_ping), Side::Destination, {inside.value, 77});
    EXPECT_TRUE(checksums_ok(about_ping));
    EXPECT_EQ(quoted_endpoint_of(view(about_ping), Side::Destination).port, 77);
}

class Bindings : public ::testing::Test {
protected:
    Bindings() {
        table = conntrack::ConntrackTable::create(64, conntrack::Timeouts::from(ConntrackConfig{}), 5);
        tracker = std::make_unique<conntrack::Tracker>(*table, false);
        translator = std::make_unique<Translator>(*table, 5);
    }
    conntrack::ConntrackTable::Ref open(Bytes b) {
        auto v = view(b);
        return tracker->track(conntrack::classify(v), at(0s)).ref;
    }
    const conntrack::Entry& entry(conntrack::ConntrackTable::Ref r) { return *table->get(r); }

    std::unique_ptr<conntrack::ConntrackTable> table;
    std::unique_ptr<conntrack::Tracker> tracker;
    std::unique_ptr<Translator> translator;
};

TEST_F(Bindings, SourcePortIsPreservedWhenFreeAndChangedOtherwise) {
    auto a = open(udp_datagram(inside, outside, 4000, 53));
    ASSERT_TRUE(translator->set_source(a, public_ip.value, std::nullopt, at(0s)));
    EXPECT_EQ(entry(a).tuple[1].dst, public_ip.value);
    EXPECT_EQ(entry(a).tuple[1].dport, 4000);
    // Another inside host with the same port to the same server: the port must change.
    auto b = open(udp_datagram(ip(10, 0, 0, 3), outside, 4000, 53));
    ASSERT_TRUE(translator->set_source(b, public_ip.value, std::nullopt, at(0s)));
    EXPECT_NE(entry(b).tuple[1].dport, 4000);
    EXPECT_GE(entry(b).tuple[1].dport, 1024); // RFC 4787 REQ-3: the range is kept
    EXPECT_EQ(translator->counters().ports_changed, 1u);
    // Replies find each connection by its own binding.
    EXPECT_EQ(table->find(entry(b).tuple[1], at(0s))->ref, b);
    // The target of the original direction is the translated datagram.
    const conntrack::Tuple t = Translator::target(entry(b), Dir::Original);
    EXPECT_EQ(t.src, public_ip.value);
    EXPECT_EQ(t.sport, entry(b).tuple[1].dport);
}

TEST_F(Bindings, WellKnownPortsStayWellKnown) {
    auto a = open(udp_datagram(inside, outside, 123, 123));
    auto b = open(udp_datagram(ip(10, 0, 0, 3), outside, 123, 123));
    ASSERT_TRUE(translator->set_source(a, public_ip.value, std::nullopt, at(0s)));
    ASSERT_TRUE(translator->set_source(b, public_ip.value, std::nullopt, at(0s)));
    EXPECT_LT(entry(b).tuple[1].dport, 1024);
    EXPECT_NE(entry(b).tuple[1].dport, 123);
}

TEST_F(Bindings, AnExplicitPortInUseIsRefused) {
    auto a = open(udp_datagram(inside, outside, 123, 123));
    auto b = open(udp_datagram(ip(10, 0, 0, 3), outside, 123, 123));
    ASSERT_TRUE(translator->set_source(a, public_ip.value, 1123, at(0s)));
    EXPECT_TRUE(entry(a).source_port_fixed);
    EXPECT_FALSE(translator->set_source(b, public_ip.value, 1123, at(0s)));
    EXPECT_EQ(translator->counters().refused, 1u);
    EXPECT_EQ(entry(b).tuple[1], entry(b).tuple[0].inverted()); // unchanged
}

TEST_F(Bindings, DestinationClashIsResolvedWithAnotherSourcePort) {
    // A client talks to the server directly, then through a port forward that leads to the same server and
    // port: the server would see the same four-tuple twice.
    auto direct = open(udp_datagram(outside, inside, 5000, 53));
    auto forwarded = open(udp_datagram(outside, public_ip, 5000, 8053));
    ASSERT_TRUE(translator->set_destination(forwarded, inside.value, 53, at(0s)));
    const conntrack::Tuple reply = entry(forwarded).tuple[1];
    EXPECT_EQ(reply.src, inside.value);
    EXPECT_EQ(reply.sport, 53);
    EXPECT_NE(reply.dport, 5000); // the source port it leaves with
    EXPECT_NE(table->find(reply, at(0s))->ref, direct);
}

TEST_F(Bindings, EchoIdentifiersAreAllocatedLikePorts) {
    auto a = open(echo(inside, outside, true, 9));
    auto b = open(echo(ip(10, 0, 0, 3), outside, true, 9));
    ASSERT_TRUE(translator->set_source(a, public_ip.value, std::nullopt, at(0s)));
    ASSERT_TRUE(translator->set_source(b, public_ip.value, std::nullopt, at(0s)));
    EXPECT_EQ(entry(a).tuple[1].dport, 9);
    EXPECT_NE(entry(b).tuple[1].dport, 9);
    // The reply to b's echo, as it arrives, finds b.
    Bytes reply = echo(outside, public_ip, false, entry(b).tuple[1].dport);
    auto v = view(reply);
    auto r = tracker->track(conntrack::classify(v), at(1s));
    EXPECT_EQ(r.ref, b);
    EXPECT_EQ(r.state, CtState::Established);
}

TEST_F(Bindings, ManyConnectionsGetDistinctPorts) {
    std::set<std::uint16_t> ports;
    for (std::uint8_t host = 2; host < 42; ++host) {
        auto r = open(udp_datagram(ip(10, 0, 0, host), outside, 4000, 53));
        ASSERT_TRUE(translator->set_source(r, public_ip.value, std::nullopt, at(0s)));
        ports.insert(entry(r).tuple[1].dport);
    }
    EXPECT_EQ(ports.size(), 40u);
}

} // namespace
} // namespace appliance::nat
