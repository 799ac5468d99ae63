// Connection tracking of real datagrams: states in both directions, ICMP errors as related, ICMP queries,
// the TCP state machine (stateful_tcp) with its out-of-state segments, timeouts with time set by hand,
// untracked protocols and malformed headers.
#include "appliance/conntrack/fragment_cache.hpp"
#include "appliance/conntrack/tcp_state.hpp"
#include "appliance/conntrack/tracker.hpp"

#include "support.hpp"

#include <gtest/gtest.h>

namespace appliance::conntrack {
namespace {

using namespace test;

const net::Ipv4Address client = ip(10, 0, 0, 2), server = ip(192, 0, 2, 80), router = ip(198, 51, 100, 1);

class Tracking : public ::testing::Test {
protected:
    explicit Tracking(bool stateful = false) { reset(stateful); }
    void reset(bool stateful, std::uint32_t limit = 64) {
        ConntrackConfig c;
        c.stateful_tcp = stateful;
        table = ConntrackTable::create(limit, Timeouts::from(c), 99);
        tracker = std::make_unique<Tracker>(*table, stateful);
    }
    TrackResult track(Bytes b, net::Duration t = 0s) {
        auto v = view(b);
        return tracker->track(classify(v), at(t));
    }
    const Entry& entry(const TrackResult& r) { return *table->get(r.ref); }

    std::unique_ptr<ConntrackTable> table;
    std::unique_ptr<Tracker> tracker;
};

TEST_F(Tracking, UdpNewThenEstablishedInBothDirections) {
    auto first = track(udp_datagram(client, server, 5000, 53));
    EXPECT_EQ(first.state, CtState::New);
    EXPECT_TRUE(first.created);
    EXPECT_EQ(first.dir, Dir::Original);
    EXPECT_EQ(entry(first).lifecycle, Lifecycle::Unconfirmed);
    tracker->confirm(first.ref, at(0s));
    EXPECT_EQ(entry(first).timeout_class, TimeoutClass::ConfirmedUdp);

    auto again = track(udp_datagram(client, server, 5000, 53), 1s);
    EXPECT_EQ(again.state, CtState::New); // nothing came back yet
    EXPECT_FALSE(again.created);

    auto reply = track(udp_datagram(server, client, 53, 5000), 2s);
    EXPECT_EQ(reply.state, CtState::Established);
    EXPECT_EQ(reply.dir, Dir::Reply);
    EXPECT_EQ(reply.ref, first.ref);
    EXPECT_EQ(entry(first).timeout_class, TimeoutClass::EstablishedUdp);

    auto later = track(udp_datagram(client, server, 5000, 53), 3s);
    EXPECT_EQ(later.state, CtState::Established);
    EXPECT_EQ(later.dir, Dir::Original);
}

TEST_F(Tracking, TimeoutsFollowTheLifecycle) {
    auto r = track(udp_datagram(client, server, 5000, 53), 0s);
    // Unconfirmed: 30 s.
    EXPECT_TRUE(table->find(r.ref.valid() ? entry(r).tuple[0] : Tuple{}, at(29s)));
    tracker->confirm(r.ref, at(29s)); // confirmed: 60 s from now
    EXPECT_TRUE(table->find(entry(r).tuple[0], at(88s)));
    track(udp_datagram(server, client, 53, 5000), 88s); // established: 180 s
    const Tuple t = entry(r).tuple[0];
    EXPECT_TRUE(table->find(t, at(267s)));
    EXPECT_FALSE(table->find(t, at(268s)));
    // A datagram after expiry opens a new connection.
    EXPECT_EQ(track(udp_datagram(client, server, 5000, 53), 300s).state, CtState::New);
}

TEST_F(Tracking, UnconfirmedConnectionsExpireFast) {
    auto r = track(udp_datagram(client, server, 5000, 53), 0s);
    const Tuple t = entry(r).tuple[0];
    EXPECT_EQ(table->expire(at(29s), 10), 0u);
    EXPECT_EQ(table->expire(at(30s), 10), 1u);
    EXPECT_FALSE(table->find(t, at(30s)));
}

TEST_F(Tracking, IcmpEchoUsesTheIdentifier) {
    auto req = track(echo(client, server, true, 77));
    EXPECT_EQ(req.state, CtState::New);
    EXPECT_EQ(entry(req).tuple[0].sport, 77);
    auto rep = track(echo(server, client, false, 77));
    EXPECT_EQ(rep.state, CtState::Established);
    EXPECT_EQ(rep.dir, Dir::Reply);
    // Another identifier is another connection; an unsolicited reply opens nothing.
    EXPECT_EQ(track(echo(server, client, false, 78)).state, CtState::Invalid);
    EXPECT_EQ(table->size(), 1u);
}

TEST_F(Tracking, IcmpErrorsAreRelatedToTheirConnection) {
    const Bytes out = udp_datagram(client, server, 5000, 53);
    auto r = track(out);
    // From the destination itself (port unreachable) and from a router on the path (time exceeded).
    auto unreachable = track(icmp_error(server, client, 3, 3, out));
    EXPECT_EQ(unreachable.state, CtState::Related);
    EXPECT_EQ(unreachable.ref, r.ref);
    EXPECT_EQ(unreachable.dir, Dir::Reply);
    auto exceeded = track(icmp_error(router, client, 11, 0, out, 28)); // header + 8 bytes, RFC 792
    EXPECT_EQ(exceeded.state, CtState::Related);
    // An error about a datagram of no known connection is invalid; so is a quote too short for ports.
    EXPECT_EQ(track(icmp_error(server, client, 3, 3, udp_datagram(client, server, 5001, 53))).state,
              CtState::Invalid);
    EXPECT_EQ(track(icmp_error(server, client, 3, 3, out, 22)).state, CtState::Invalid);
    // Errors never refresh or establish the connection.
    EXPECT_EQ(entry(r).lifecycle, Lifecycle::Unconfirmed);
    EXPECT_EQ(tracker->counters().related, 2u);
}

TEST_F(Tracking, IcmpErrorAboutAnEchoIsRelated) {
    const Bytes ping = echo(client, server, true, 5);
    track(ping);
    EXPECT_EQ(track(icmp_error(router, client, 11, 0, ping)).state, CtState::Related);
}

TEST_F(Tracking, OtherProtocolsAreUntracked) {
    const Bytes gre = datagram(client, server, 47, Bytes(8));
    auto r = track(gre);
    EXPECT_EQ(r.state, CtState::Untracked);
    EXPECT_FALSE(r.ref.valid());
    // So are ICMP messages that are neither queries nor errors (router advertisement).
    EXPECT_EQ(track(icmp_message(router, client, 9, 0, 0, Bytes(8))).state, CtState::Untracked);
    EXPECT_EQ(table->size(), 0u);
}

TEST_F(Tracking, MalformedTransportHeaders) {
    Bytes cut = datagram(client, server, 6, Bytes(12)); // 12 bytes of a 20-byte TCP header
    EXPECT_EQ(classify(view(cut)).kind, PacketKind::Malformed);
    Bytes udp = udp_datagram(client, server, 1, 2, 10);
    net::wire::put16(std::span<std::byte>(udp).subspan(20), 4, 200); // UDP length beyond the datagram
    EXPECT_EQ(classify(view(udp)).kind, PacketKind::Malformed);
    Bytes doff = tcp_segment(client, server, 1, 2, syn);
    net::wire::put8(std::span<std::byte>(doff).subspan(20), 12, 0x40); // data offset 4 words
    EXPECT_EQ(classify(view(doff)).kind, PacketKind::Malformed);
}

TEST_F(Tracking, LooseTcpPicksUpConnectionsMidStream) {
    auto r = track(tcp_segment(client, server, 4000, 80, ack | psh, 500, 900, 10));
    EXPECT_EQ(r.state, CtState::New);
    EXPECT_EQ(entry(r).tcp, TcpState::Established);
    EXPECT_EQ(track(tcp_segment(server, client, 80, 4000, ack, 900, 510)).state, CtState::Established);
    // A reset opens nothing.
    EXPECT_EQ(track(tcp_segment(client, server, 4001, 80, rst)).state, CtState::Invalid);
    // Nothing is out of state; a reset only shortens the timeout.
    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, syn)).state, CtState::Established);
    track(tcp_segment(server, client, 80, 4000, rst | ack, 900, 510));
    EXPECT_EQ(entry(r).timeout_class, TimeoutClass::TcpClosed);
}

class StatefulTcp : public Tracking {
protected:
    StatefulTcp() : Tracking(true) {}
};

TEST_F(StatefulTcp, HandshakeDataAndClose) {
    auto syn_r = track(tcp_segment(client, server, 4000, 80, syn, 1000));
    ASSERT_EQ(syn_r.state, CtState::New);
    EXPECT_EQ(entry(syn_r).tcp, TcpState::SynSent);
    tracker->confirm(syn_r.ref, at(0s));
    EXPECT_EQ(entry(syn_r).timeout_class, TimeoutClass::ConfirmedTcp);

    auto synack = track(tcp_segment(server, client, 80, 4000, syn | ack, 5000, 1001));
    EXPECT_EQ(synack.state, CtState::Established); // a reply was seen
    EXPECT_EQ(entry(syn_r).tcp, TcpState::SynReceived);
    EXPECT_EQ(entry(syn_r).timeout_class, TimeoutClass::ConfirmedTcp); // not established before the ACK

    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, ack, 1001, 5001)).state, CtState::Established);
    EXPECT_EQ(entry(syn_r).tcp, TcpState::Established);
    EXPECT_EQ(entry(syn_r).timeout_class, TimeoutClass::EstablishedTcp);
    EXPECT_EQ(track(tcp_segment(server, client, 80, 4000, ack | psh, 5001, 1001, 100)).state,
              CtState::Established);

    track(tcp_segment(client, server, 4000, 80, fin | ack, 1001, 5101));
    EXPECT_EQ(entry(syn_r).tcp, TcpState::FinWait);
    EXPECT_EQ(entry(syn_r).timeout_class, TimeoutClass::TcpClosing);
    track(tcp_segment(server, client, 80, 4000, fin | ack, 5101, 1002));
    EXPECT_EQ(entry(syn_r).tcp, TcpState::LastAck);
    track(tcp_segment(client, server, 4000, 80, ack, 1002, 5102));
    EXPECT_EQ(entry(syn_r).tcp, TcpState::TimeWait);
    EXPECT_EQ(entry(syn_r).timeout_class, TimeoutClass::TcpTimeWait);
    // TIME-WAIT lasts 120 s; a new SYN may reuse the tuple (RFC 9293 3.6.1).
    auto reopen = track(tcp_segment(client, server, 4000, 80, syn, 7000), 1s);
    EXPECT_EQ(reopen.state, CtState::New);
    EXPECT_EQ(entry(syn_r).tcp, TcpState::SynSent);
}

TEST_F(StatefulTcp, OutOfStateSegmentsAreInvalid) {
    // No connection: only a SYN opens one.
    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, ack, 1, 1)).state, CtState::Invalid);
    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, syn | ack, 1, 1)).state, CtState::Invalid);
    EXPECT_EQ(table->size(), 0u);

    auto r = track(tcp_segment(client, server, 4000, 80, syn, 1000));
    // A SYN-ACK that does not acknowledge the SYN (RFC 9293 3.10.7.3), data before the handshake, flags no
    // end sends: invalid, and the connection stays as it was.
    EXPECT_EQ(track(tcp_segment(server, client, 80, 4000, syn | ack, 5000, 4242)).state, CtState::Invalid);
    EXPECT_EQ(track(tcp_segment(server, client, 80, 4000, ack | psh, 5000, 1001, 5)).state, CtState::Invalid);
    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, syn | fin, 1000)).state, CtState::Invalid);
    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, 0, 1000)).state, CtState::Invalid);
    EXPECT_EQ(entry(r).tcp, TcpState::SynSent);
    EXPECT_EQ(entry(r).lifecycle, Lifecycle::Unconfirmed);
    EXPECT_EQ(tracker->counters().out_of_state, 4u);

    track(tcp_segment(server, client, 80, 4000, syn | ack, 5000, 1001));
    track(tcp_segment(client, server, 4000, 80, ack, 1001, 5001));
    // A SYN inside an established connection.
    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, syn, 9999)).state, CtState::Invalid);
    EXPECT_EQ(entry(r).tcp, TcpState::Established);
    // A reset closes; stray segments after it are out of state.
    EXPECT_EQ(track(tcp_segment(server, client, 80, 4000, rst, 5001)).state, CtState::Established);
    EXPECT_EQ(entry(r).tcp, TcpState::Closed);
    EXPECT_EQ(entry(r).timeout_class, TimeoutClass::TcpClosed);
    EXPECT_EQ(track(tcp_segment(client, server, 4000, 80, ack, 1001, 5001)).state, CtState::Invalid);
    // Closed connections go after 10 s.
    const Tuple t = entry(r).tuple[0];
    EXPECT_TRUE(table->find(t, at(9s)));
    EXPECT_FALSE(table->find(t, at(11s)));
}

TEST_F(StatefulTcp, LostAckLetsTheSynAckRepeat) {
    track(tcp_segment(client, server, 4000, 80, syn, 1000));
    track(tcp_segment(server, client, 80, 4000, syn | ack, 5000, 1001));
    track(tcp_segment(client, server, 4000, 80, ack, 1001, 5001));
    EXPECT_EQ(track(tcp_segment(server, client, 80, 4000, syn | ack, 5000, 1001)).state,
              CtState::Established);
}

TEST(TcpStateMachine, SimultaneousOpen) {
    Entry e;
    e.tcp = tcp_opening_state(syn);
    EXPECT_EQ(e.tcp, TcpState::SynSent);
    EXPECT_TRUE(tcp_step(e, Dir::Reply, {syn, 2000, 0}, true).in_state);
    EXPECT_EQ(e.tcp, TcpState::SynReceived);
    EXPECT_TRUE(tcp_step(e, Dir::Original, {syn | ack, 1000, 2001}, true).in_state);
    EXPECT_TRUE(tcp_step(e, Dir::Reply, {syn | ack, 2000, 1001}, true).in_state);
    EXPECT_TRUE(tcp_step(e, Dir::Original, {ack, 1001, 2001}, true).in_state);
    EXPECT_EQ(e.tcp, TcpState::Established);
}

TEST(TcpStateMachine, OpeningRules) {
    EXPECT_TRUE(tcp_may_open(syn, true));
    EXPECT_FALSE(tcp_may_open(syn | ack, true));
    EXPECT_FALSE(tcp_may_open(ack, true));
    EXPECT_TRUE(tcp_may_open(ack, false));
    EXPECT_FALSE(tcp_may_open(rst, false));
    EXPECT_FALSE(tcp_may_open(syn | rst, false));
}

TEST(FragmentCache, SaysWhenItDisplacesALiveDatagram) {
    // Two datagrams whose keys share a slot of the direct-mapped cache: found by trying identifications.
    const FragmentCache::Key first{0x0a000001, 0x0a000002, 1, 17};
    FragmentCache::Value v;
    for (std::uint16_t id = 2; id != 0; ++id) {
        FragmentCache cache;
        EXPECT_FALSE(cache.remember(first, v, test::at(0s)));
        EXPECT_FALSE(cache.remember(first, v, test::at(1s))); // the same datagram again
        const FragmentCache::Key other{first.src, first.dst, id, 17};
        if (!cache.remember(other, v, test::at(2s))) continue;
        EXPECT_FALSE(cache.find(first, test::at(2s)));
        EXPECT_TRUE(cache.find(other, test::at(2s)));
        // Once the first one's fragments can no longer come, taking its slot displaces nothing.
        FragmentCache later;
        EXPECT_FALSE(later.remember(first, v, test::at(0s)));
        EXPECT_FALSE(later.remember(other, v, test::at(0s) + FragmentCache::lifetime + 1s));
        return;
    }
    FAIL() << "no identification shares the first one's slot";
}

TEST(ConntrackEviction, AFullTrackerEvictsAndSaysSo) {
    ConntrackConfig c;
    auto table = ConntrackTable::create(2, Timeouts::from(c), 1);
    Tracker tracker(*table, false);
    auto track = [&](Bytes b, net::Duration t) {
        auto v = view(b);
        return tracker.track(classify(v), at(t));
    };
    auto a = track(udp_datagram(client, server, 1, 53), 0s);
    tracker.confirm(a.ref, at(0s));
    track(udp_datagram(server, client, 53, 1), 0s); // a is established: 180 s
    track(udp_datagram(client, server, 2, 53), 1s); // unconfirmed: 30 s
    auto third = track(udp_datagram(client, server, 3, 53), 2s);
    EXPECT_EQ(third.state, CtState::New);
    EXPECT_TRUE(third.evicted);
    EXPECT_EQ(third.evicted_original.sport, 2);
    EXPECT_EQ(table->counters().evicted, 1u);
    EXPECT_EQ(track(udp_datagram(server, client, 53, 1), 3s).state, CtState::Established);
}

} // namespace
} // namespace appliance::conntrack
