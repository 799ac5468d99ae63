// The appliance end to end between a client and a server stack: a stateful firewall (replies of allowed
// connections pass, unsolicited inbound does not), masquerade and a dnat port forward with replies and ICMP
// errors translated back, reject answered with RST and ICMP, syslog to a collector, timers, MTU.
#include "lab.hpp"

#include "net/testing/frames.hpp"

#include <string>

namespace appliance::test {
namespace {

struct Echo {
    net::UdpSocket socket;
    std::vector<net::UdpDatagram> seen; // payload views are not kept
    std::vector<net::UdpEndpoint> sources;
    Echo(net::Stack& s, std::uint16_t port, bool answer = true) : socket(s) {
        EXPECT_TRUE(socket.bind(port));
        socket.on_receive([this, answer](const net::UdpDatagram& d) {
            sources.push_back(d.source);
            if (answer) (void)socket.send_to(d.source, d.payload);
        });
    }
};

struct Receiver {
    net::UdpSocket socket;
    std::vector<net::UdpEndpoint> sources;
    std::vector<std::string> payloads;
    Receiver(net::Stack& s, std::uint16_t port) : socket(s) {
        EXPECT_TRUE(socket.bind(port));
        socket.on_receive([this](const net::UdpDatagram& d) {
            sources.push_back(d.source);
            payloads.emplace_back(reinterpret_cast<const char*>(d.payload.data()), d.payload.size());
        });
    }
};

const Bytes hello{std::byte{'h'}, std::byte{'i'}};

TEST(EndToEnd, MasqueradedConnectionsAndTheirRepliesPass) {
    LabConfig c;
    Lab lab(c);
    ASSERT_EQ(lab.run_result, 0) << lab.platform.console;
    Echo server_echo(lab.server, 7);
    Receiver client_rx(lab.client, 4000);
    ASSERT_TRUE(client_rx.socket.send_to({server_ip, 7}, hello));
    lab.run();
    // The server saw the appliance's address with the client's port (preserved), and the reply came back.
    ASSERT_EQ(server_echo.sources.size(), 1u);
    EXPECT_EQ(server_echo.sources[0], (net::UdpEndpoint{wan_ip, 4000}));
    ASSERT_EQ(client_rx.sources.size(), 1u);
    EXPECT_EQ(client_rx.sources[0], (net::UdpEndpoint{server_ip, 7}));
    EXPECT_EQ(client_rx.payloads[0], "hi");
    EXPECT_EQ(lab.app().rule_hits(6), 1u); // new from lan
    EXPECT_EQ(lab.app().rule_hits(1), 1u); // the established reply
    EXPECT_EQ(lab.app().conntrack_table()->size(), 1u);
}

TEST(EndToEnd, UnsolicitedInboundIsDropped) {
    LabConfig c;
    Lab lab(c);
    lab.route_server_to_lan();
    Capture at_client;
    at_client.attach(lab.client, 6);
    // A new TCP connection from the wan side: no rule allows it. Dropped, and said so on the console (no
    // Syslog element).
    send_tcp(lab.server, client_ip, 6000, 80, syn, 1);
    lab.run();
    EXPECT_TRUE(at_client.datagrams.empty());
    EXPECT_EQ(lab.app().rule_hits(8), 1u);
    EXPECT_EQ(lab.app().rule_hits(9), 1u);
    EXPECT_NE(lab.platform.console.find("syslog warning: dropped 203.0.113.10 to 10.0.1.2\n"),
              std::string::npos)
        << lab.platform.console;
    // The refused connection left nothing in the table.
    EXPECT_EQ(lab.app().conntrack_table()->size(), 0u);
    EXPECT_EQ(lab.app().counters().dropped, 1u);
}

TEST(EndToEnd, UdpToTheClientIsNotAcceptedWhenItIsUnsolicitedByRule) {
    // Without rule 7, an inbound UDP datagram that is not a reply meets the final drop.
    LabConfig c;
    c.chains = {{Hook::Forward, no_iface, [](RulePacket& p, ActionSink&) -> Decision {
                     if (p.ct == CtState::Established || p.ct == CtState::Related)
                         return {Verdict::Accept, 1};
                     if (p.ct == CtState::New && p.iif == 0) return {Verdict::Accept, 6};
                     return {Verdict::Drop, 9};
                 }}};
    Lab lab(c);
    lab.route_server_to_lan();
    Receiver client_rx(lab.client, 4000);
    Echo server_echo(lab.server, 7);
    net::UdpSocket s(lab.server);
    ASSERT_TRUE(s.bind(6000));
    ASSERT_TRUE(s.send_to({client_ip, 4000}, hello));
    lab.run();
    EXPECT_TRUE(client_rx.sources.empty());
    EXPECT_EQ(lab.app().rule_hits(9), 1u);
    // The same client port talking out first makes the server's answers replies.
    ASSERT_TRUE(client_rx.socket.send_to({server_ip, 7}, hello));
    lab.run();
    EXPECT_EQ(client_rx.sources.size(), 1u);
}

TEST(EndToEnd, PortForwardWithRepliesTranslatedBack) {
    LabConfig c;
    Lab lab(c);
    Echo client_dns(lab.client, 53);
    Receiver server_rx(lab.server, 6000);
    ASSERT_TRUE(server_rx.socket.send_to({wan_ip, 8053}, hello));
    lab.run();
    ASSERT_EQ(client_dns.sources.size(), 1u);
    EXPECT_EQ(client_dns.sources[0], (net::UdpEndpoint{server_ip, 6000}));
    ASSERT_EQ(server_rx.sources.size(), 1u);
    EXPECT_EQ(server_rx.sources[0], (net::UdpEndpoint{wan_ip, 8053})); // from where it was sent to
    EXPECT_EQ(lab.app().rule_hits(0), 1u);
    EXPECT_EQ(lab.app().rule_hits(7), 1u);
    // Later datagrams of the connection follow the binding (the Nat function runs again, consistently).
    ASSERT_TRUE(server_rx.socket.send_to({wan_ip, 8053}, hello));
    lab.run();
    EXPECT_EQ(client_dns.sources.size(), 2u);
    EXPECT_EQ(server_rx.sources.size(), 2u);
}

TEST(EndToEnd, PingThroughMasquerade) {
    LabConfig c;
    Lab lab(c);
    int replies = 0;
    lab.client.on_icmp([&](const net::IcmpEvent& e) {
        if (e.type == 0 && e.source == server_ip && (e.rest_of_header >> 16) == 7) ++replies;
    });
    ASSERT_TRUE(lab.client.send_echo_request(server_ip, 7, 1));
    lab.run();
    ASSERT_TRUE(lab.client.send_echo_request(server_ip, 7, 2));
    lab.run();
    EXPECT_EQ(replies, 2);
}

TEST(EndToEnd, IcmpErrorsAboutTranslatedTrafficComeBackTranslated) {
    LabConfig c;
    Lab lab(c);
    std::vector<net::IcmpEvent> errors;
    Bytes quoted;
    lab.client.on_icmp([&](const net::IcmpEvent& e) {
        errors.push_back(e);
        quoted.assign(e.data.begin(), e.data.end());
    });
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    ASSERT_TRUE(s.send_to({server_ip, 5555}, hello)); // nothing listens there: port unreachable
    lab.run();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].source, server_ip);
    EXPECT_EQ(errors[0].type, 3);
    EXPECT_EQ(errors[0].code, 3);
    // The quote is the datagram as the client sent it.
    auto q = net::wire::Ipv4View::wrap(quoted);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->src(), client_ip);
    EXPECT_EQ(q->dst(), server_ip);
    EXPECT_EQ(net::wire::get16(quoted, 20), 4000);
    EXPECT_EQ(lab.app().rule_hits(1), 1u); // related
}

TEST(EndToEnd, RejectAnswersUdpWithAdministrativelyProhibited) {
    LabConfig c;
    Lab lab(c);
    std::vector<net::IcmpEvent> errors;
    lab.client.on_icmp([&](const net::IcmpEvent& e) { errors.push_back(e); });
    Receiver server_rx(lab.server, 9);
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    ASSERT_TRUE(s.send_to({server_ip, 9}, hello));
    lab.run();
    EXPECT_TRUE(server_rx.sources.empty());
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].source, lan_ip);
    EXPECT_EQ(errors[0].type, 3);
    EXPECT_EQ(errors[0].code, 13); // RFC 1812 5.2.7.1
    EXPECT_EQ(lab.app().rule_hits(3), 1u);
    EXPECT_EQ(lab.app().counters().rejected, 1u);
    // A refused first datagram leaves no connection behind.
    EXPECT_EQ(lab.app().conntrack_table()->size(), 0u);
}

TEST(EndToEnd, RejectAnswersTcpWithAReset) {
    LabConfig c;
    Lab lab(c);
    Capture tcp;
    tcp.attach(lab.client, 6);
    Capture at_server;
    at_server.attach(lab.server, 6);
    send_tcp(lab.client, server_ip, 4000, 23, syn, 1000);
    lab.run();
    EXPECT_TRUE(at_server.datagrams.empty());
    ASSERT_EQ(tcp.datagrams.size(), 1u);
    Bytes rst_dgram = tcp.datagrams[0];
    EXPECT_TRUE(checksums_ok(rst_dgram));
    auto v = view(rst_dgram);
    EXPECT_EQ(v.src(), server_ip); // as if from the refused port
    EXPECT_EQ(v.dst(), client_ip);
    auto t = net::wire::TcpView::parse(v.payload());
    EXPECT_EQ(t->src_port(), 23);
    EXPECT_EQ(t->dst_port(), 4000);
    EXPECT_EQ(t->flags(), rst | ack);
    EXPECT_EQ(t->ack(), 1001u);
    EXPECT_EQ(lab.app().responder().counters().resets, 1u);
    EXPECT_NE(lab.platform.console.find("telnet from 10.0.1.2\n"), std::string::npos);
    EXPECT_EQ(lab.app().rule_hits(4), 1u);
    EXPECT_EQ(lab.app().rule_hits(5), 1u);
}

// wan.prerouting: TCP 8023 forwarded to the client's telnet port, which the forward chain rejects.
Decision telnet_forward(RulePacket& p, ActionSink& a) {
    if (p.protocol == 6 && p.dport == 8023) {
        a.nat(p, 0, NatKind::Dnat, true, client_ip.value, true, 23);
        return {Verdict::Accept, 0};
    }
    return {Verdict::Accept, rule_none};
}

TEST(EndToEnd, ARejectedPortForwardAnswersAsTheAddressItWasSentTo) {
    LabConfig c;
    c.chains[0].function = &telnet_forward;
    Lab lab(c);
    Capture at_server, at_client;
    at_server.attach(lab.server, 6);
    at_client.attach(lab.client, 6);
    send_tcp(lab.server, wan_ip, 6000, 8023, syn, 300);
    lab.run();
    EXPECT_TRUE(at_client.datagrams.empty());
    ASSERT_EQ(at_server.datagrams.size(), 1u);
    Bytes r = at_server.datagrams[0];
    EXPECT_TRUE(checksums_ok(r));
    EXPECT_EQ(view(r).src(), wan_ip); // the translation is undone before answering
    auto t = net::wire::TcpView::parse(view(r).payload());
    EXPECT_EQ(t->src_port(), 8023);
    EXPECT_EQ(t->dst_port(), 6000);
    EXPECT_EQ(t->ack(), 301u);
    EXPECT_EQ(lab.app().conntrack_table()->size(), 0u);
}

TEST(EndToEnd, StatefulTcpThroughMasquerade) {
    LabConfig c;
    c.build();
    c.config.conntrack.stateful_tcp = true; // Lab's build() sets only the spans again
    Lab lab(c);
    Capture at_client, at_server;
    at_client.attach(lab.client, 6);
    at_server.attach(lab.server, 6);
    send_tcp(lab.client, server_ip, 4000, 80, syn, 1000);
    lab.run();
    ASSERT_EQ(at_server.datagrams.size(), 1u);
    Bytes syn_dgram = at_server.datagrams[0];
    EXPECT_TRUE(checksums_ok(syn_dgram));
    EXPECT_EQ(view(syn_dgram).src(), wan_ip);
    const std::uint16_t port = net::wire::get16(view(syn_dgram).payload(), 0);
    EXPECT_EQ(port, 4000);
    // The server answers; the appliance translates back.
    send_tcp(lab.server, wan_ip, 80, port, syn | ack, 5000, 1001);
    lab.run();
    ASSERT_EQ(at_client.datagrams.size(), 1u);
    Bytes synack = at_client.datagrams[0];
    EXPECT_TRUE(checksums_ok(synack));
    EXPECT_EQ(view(synack).dst(), client_ip);
    EXPECT_EQ(net::wire::get16(view(synack).payload(), 2), 4000);
    send_tcp(lab.client, server_ip, 4000, 80, ack, 1001, 5001);
    lab.run();
    EXPECT_EQ(at_server.datagrams.size(), 2u);
    // Out of state: a SYN inside the established connection.
    send_tcp(lab.client, server_ip, 4000, 80, syn, 77);
    lab.run();
    EXPECT_EQ(at_server.datagrams.size(), 2u);
    EXPECT_EQ(lab.app().rule_hits(2), 1u); // dropped as invalid
    EXPECT_EQ(lab.app().tracker()->counters().out_of_state, 1u);
}

TEST(EndToEnd, SyslogGoesToTheCollectorAsRfc5424) {
    LabConfig c;
    c.build();
    c.config.syslog = {true, server_ip.value, 514};
    Lab lab(c);
    lab.platform.wall_ns = 1795456788'250000000;
    lab.route_server_to_lan();
    Receiver collector(lab.server, 514);
    send_tcp(lab.server, client_ip, 6000, 80, syn, 1);
    lab.run();
    ASSERT_EQ(collector.payloads.size(), 1u) << lab.platform.console;
    EXPECT_EQ(collector.payloads[0], "<12>1 2026-11-23T17:59:48.250000Z 203.0.113.2 halite - rule "
                                     "[rule@32473 location=\"lab.nacl:15:5\" function=\"forward_filter\"] "
                                     "dropped 203.0.113.10 to 10.0.1.2");
    EXPECT_EQ(collector.sources[0].address, wan_ip);
    EXPECT_EQ(lab.app().syslog_sender()->sent(), 1u);
}

TEST(EndToEnd, TimeExceededOnlyWhenTheGatewaySaysSo) {
    for (bool send : {false, true}) {
        LabConfig c;
        c.build();
        c.config.send_time_exceeded = send;
        Lab lab(c);
        std::vector<net::IcmpEvent> errors;
        lab.client.on_icmp([&](const net::IcmpEvent& e) { errors.push_back(e); });
        send_tcp(lab.client, server_ip, 4000, 80, syn, 1, 0, /*ttl=*/1);
        lab.run();
        EXPECT_EQ(errors.size(), send ? 1u : 0u);
        if (send && !errors.empty()) {
            EXPECT_EQ(errors[0].type, 11);
        }
        EXPECT_EQ(lab.app().counters().time_exceeded_suppressed, send ? 0u : 1u);
    }
}

TEST(EndToEnd, MtuBelowTheNicsIsEnforced) {
    LabConfig c;
    c.ifaces[1].mtu = 576;
    Lab lab(c);
    ASSERT_EQ(lab.run_result, 0) << lab.platform.console;
    std::vector<net::IcmpEvent> errors;
    lab.client.on_icmp([&](const net::IcmpEvent& e) { errors.push_back(e); });
    Receiver server_rx(lab.server, 7);
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    ASSERT_TRUE(s.send_to({server_ip, 7}, Bytes(800)));
    ASSERT_TRUE(s.send_to({server_ip, 7}, Bytes(500)));
    lab.run();
    // net/ sends UDP with DF clear: the large one is dropped silently (this stack does not fragment).
    EXPECT_EQ(server_rx.sources.size(), 1u);
    EXPECT_EQ(lab.app().counters().mtu_exceeded, 1u);
    EXPECT_TRUE(errors.empty());
    // With DF, the sender learns the MTU (RFC 1191).
    auto route = lab.client.route_to(server_ip);
    net::PacketPtr p = lab.client.pool().allocate();
    ASSERT_TRUE(p->append(600));
    std::memset(p->data().data(), 0, 600);
    ASSERT_TRUE((net::wire::UdpRepr{4000, 7}.emit(p->data(), client_ip, server_ip)));
    net::wire::Ipv4Repr r;
    r.dst = server_ip;
    r.protocol = 17;
    r.dont_fragment = true;
    ASSERT_TRUE(lab.client.send_ipv4(std::move(p), r, route.value()));
    lab.run();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, 4);
    EXPECT_EQ(errors[0].rest_of_header & 0xffff, 576u);
}

TEST(EndToEnd, AFullArpCacheIsCountedAndSaidOnceASecond) {
    LabConfig c;
    Lab lab(c);
    lab.run();
    // 70 neighbours ask for the appliance's LAN address, and each is learned (RFC 826: the request was for
    // it): more than the cache holds.
    for (std::uint8_t h = 100; h < 170; ++h) {
        const net::MacAddress m{{0x02, 0, 0, 0, 1, h}};
        const net::wire::ArpRepr a{net::wire::arp_op::request, m, ip(10, 0, 1, h), net::MacAddress{}, lan_ip};
        ASSERT_TRUE(lab.lan_nic.inject(net::testing::ethernet(
            net::MacAddress::broadcast(), m, net::wire::ethertype::arp, net::testing::arp(a))));
    }
    lab.run(5);
    const std::uint64_t evicted = lab.app().interface(0)->arp().evicted();
    EXPECT_GE(evicted, 70u - net::ArpCache::capacity);
    lab.platform.take_console();
    lab.platform.fire(1);
    const std::string line = "appliance: lan (eth0): ARP cache full (64), evicted " +
                             std::to_string(evicted) + " neighbours in the last second\n";
    EXPECT_EQ(lab.platform.take_console(), line);
    lab.platform.fire(1); // nothing evicted since
    EXPECT_EQ(lab.platform.take_console(), "");
}

TEST(EndToEnd, AFullTransmitQueueIsSaidOnceASecond) {
    LabConfig c;
    Lab lab(c);
    Echo server_echo(lab.server, 7);
    lab.run();
    lab.wan_nic.set_tx_limit(0); // the WAN NIC's ring is full: it takes nothing (not even an ARP request)
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(s.send_to({server_ip, 7}, hello));
    lab.run();
    const std::uint64_t dropped = lab.app().interface(1)->counters().drop(net::DropReason::TxQueueFull);
    EXPECT_GE(dropped, 1u);
    lab.platform.take_console();
    lab.platform.fire(1);
    EXPECT_EQ(lab.platform.take_console(), "appliance: wan (eth1): transmit queue full, dropped " +
                                               std::to_string(dropped) + " packets in the last second\n");
    lab.platform.fire(1);
    EXPECT_EQ(lab.platform.take_console(), "");
}

TEST(EndToEnd, TimersPrintStatistics) {
    LabConfig c;
    c.timers = {{"stats", 5,
                 timer_timestamp | timer_stats | timer_memory | timer_cpu | timer_lb | timer_timers |
                     timer_stack_sampling}};
    Lab lab(c);
    Echo server_echo(lab.server, 7);
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    ASSERT_TRUE(s.send_to({server_ip, 7}, hello));
    lab.run();
    lab.platform.take_console();
    lab.platform.iterations = 100;
    lab.platform.idle = 75;
    lab.platform.fire(5);
    const std::string out = lab.platform.take_console();
    for (const char* expected :
         {"[stats] time unknown (no wall clock), up 1.", "[stats] iface lan (eth0): rx ",
          "[stats] iface wan (eth1)", ", arp evictions 0\n", "[stats] stack: forwarded 2",
          "[stats] firewall: accepted 3, dropped 0, rejected 0",
          "[stats] conntrack: 1 of 20000 entries (established udp 1)", "ports changed 0",
          "[stats] rules: lab.nacl:9:5 (forward_filter) 1, lab.nacl:13:5 (forward_filter) 1\n",
          "[stats] memory: ram 64.0 MiB", "packet buffers ",
          "[stats] cpu: event loop 100 iterations, 75 ended idle, busy in 25%",
          "[stats] timers: 2 active; this appliance's: stats every 5 s, housekeeping (conntrack expiry, "
          "full-table warnings) every 1 s",
          "related 0, fragments forgotten 0;", "[stats] lb: no load balancer",
          "[stats] stack-sampling: not available"})
        EXPECT_NE(out.find(expected), std::string::npos) << expected << "\n" << out;
    // The housekeeping timer expires connections.
    lab.now += 200s;
    lab.run(1);
    lab.platform.fire(1);
    EXPECT_EQ(lab.app().conntrack_table()->size(), 0u);
}

TEST(EndToEnd, AFullTableEvictsAndSaysSo) {
    LabConfig c;
    c.build();
    c.config.conntrack.limit = 2;
    Lab lab(c);
    Echo server_echo(lab.server, 7, false);
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    for (std::uint16_t port = 7; port < 10; ++port) {
        if (port == 9) continue; // the rejected port
        ASSERT_TRUE(s.send_to({server_ip, port}, hello));
    }
    ASSERT_TRUE(s.send_to({server_ip, 11}, hello));
    lab.run();
    EXPECT_EQ(lab.app().conntrack_table()->counters().evicted, 1u);
    EXPECT_NE(
        lab.platform.console.find("appliance: conntrack: table full (limit 2), evicted 10.0.1.2:4000 -> "
                                  "203.0.113.10:7 proto 17 (expires first)"),
        std::string::npos)
        << lab.platform.console;
}

TEST(EndToEnd, TrafficOnANicNoIfaceUsesIsDropped) {
    LabConfig c;
    c.ifaces.pop_back();
    c.routes.pop_back();
    c.chains.erase(c.chains.begin());
    Lab lab(c);
    ASSERT_EQ(lab.run_result, 0) << lab.platform.console;
    // eth1 has no Iface (and so no address): a datagram sent to its MAC goes no further than prerouting.
    ASSERT_TRUE(lab.wan_nic.inject(net::testing::echo_frame(mac(0x11), mac(2), server_ip, lan_ip, 1, 1)));
    lab.run();
    EXPECT_EQ(lab.app().counters().unknown_interface, 1u);
    EXPECT_EQ(lab.appliance.counters().echo_replies_sent, 0u);
}

TEST(EndToEnd, ForwardingOnlyFromGatewayIfaces) {
    LabConfig c;
    c.ifaces[0].forwarding = false;
    Lab lab(c);
    Echo server_echo(lab.server, 7);
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    ASSERT_TRUE(s.send_to({server_ip, 7}, hello));
    lab.run();
    EXPECT_TRUE(server_echo.sources.empty());
    EXPECT_EQ(lab.app().counters().not_forwarding, 1u);
}

// The client's datagram in two fragments, as raw frames on the LAN (net/ does not fragment).
Bytes fragment_frame(const Bytes& whole, std::size_t offset, std::size_t length, bool more, std::uint16_t id,
                     net::Ipv4Address dst = server_ip) {
    net::wire::Ipv4Repr r;
    r.src = client_ip;
    r.dst = dst;
    r.protocol = net::wire::ip_proto::udp;
    r.identification = id;
    const auto from = whole.begin() + 20 + static_cast<std::ptrdiff_t>(offset);
    Bytes d = net::testing::ipv4(r, Bytes(from, from + static_cast<std::ptrdiff_t>(length)));
    net::wire::put16(d, 6, static_cast<std::uint16_t>((more ? 0x2000 : 0) | offset / 8));
    view(d).fill_checksum();
    return net::testing::ethernet(mac(0x10), mac(1), net::wire::ethertype::ipv4, d);
}

TEST(EndToEnd, FragmentsFollowTheirFirstFragmentsConnection) {
    LabConfig c;
    Lab lab(c);
    Receiver server_rx(lab.server, 7);
    const Bytes whole = udp_datagram(client_ip, server_ip, 4000, 7, 64); // 72 bytes of UDP
    ASSERT_TRUE(lab.lan_nic.inject(fragment_frame(whole, 0, 32, true, 0x4242)));
    ASSERT_TRUE(lab.lan_nic.inject(fragment_frame(whole, 32, 40, false, 0x4242)));
    lab.run();
    // Reassembled by the server, whose UDP checksum check passed: the first fragment's ports and the
    // address of both were translated consistently.
    ASSERT_EQ(server_rx.sources.size(), 1u);
    EXPECT_EQ(server_rx.sources[0], (net::UdpEndpoint{wan_ip, 4000}));
    EXPECT_EQ(server_rx.payloads[0].size(), 64u);
    // A later fragment whose first fragment was never seen belongs to no connection: invalid.
    const Bytes other = udp_datagram(client_ip, server_ip, 4001, 7, 64);
    ASSERT_TRUE(lab.lan_nic.inject(fragment_frame(other, 32, 40, false, 0x5151)));
    lab.run();
    EXPECT_EQ(lab.app().rule_hits(2), 1u);
}

TEST(EndToEnd, AFullFragmentCacheIsCountedAndSaidOnceASecond) {
    LabConfig c;
    Lab lab(c);
    lab.run();
    lab.platform.take_console();
    // First fragments of 300 datagrams within a second, more than the cache's 256 slots: some displace
    // others whose later fragments could still come.
    const Bytes whole = udp_datagram(client_ip, server_ip, 4000, 7, 64);
    for (std::uint16_t id = 1; id <= 300; ++id) {
        ASSERT_TRUE(lab.lan_nic.inject(fragment_frame(whole, 0, 32, true, id)));
        if (id % 30 == 0) lab.run(2, 1ms);
    }
    const std::uint64_t forgotten = lab.app().counters().fragments_forgotten;
    EXPECT_GE(forgotten, 300u - conntrack::FragmentCache::size);
    const std::string out = lab.platform.take_console();
    // One line for the flood, not one per datagram.
    const std::string line = "appliance: conntrack: fragment cache full (256 datagrams), forgot an earlier "
                             "fragmented datagram for 203.0.113.10 (its later fragments are invalid)\n";
    EXPECT_EQ(out, line);
}

TEST(EndToEnd, AFullReassemblyIsSaidOnceASecond) {
    LabConfig c;
    Lab lab(c);
    lab.run();
    // First fragments of ten datagrams for the appliance itself: its stack reassembles at most eight at once.
    const Bytes whole = udp_datagram(client_ip, lan_ip, 4000, 7, 64);
    for (std::uint16_t id = 1; id <= 10; ++id)
        ASSERT_TRUE(lab.lan_nic.inject(fragment_frame(whole, 0, 32, true, id, lan_ip)));
    lab.run(2);
    EXPECT_EQ(lab.appliance.counters().drop(net::DropReason::ReassemblyEvicted), 2u);
    lab.platform.take_console();
    lab.platform.fire(1);
    EXPECT_EQ(lab.platform.take_console(), "appliance: reassembly full (8), dropped the fragments of 2 "
                                           "incomplete datagrams in the last second\n");
    lab.platform.fire(1);
    EXPECT_EQ(lab.platform.take_console(), "");
}

// lan.input: the appliance itself refuses UDP port 7 and TCP (Filter::IP lan_in in lab.nacl).
Decision lan_input(RulePacket& p, ActionSink&) {
    if (p.protocol == 17 && p.dport == 7) return {Verdict::Reject, 3};
    if (p.protocol == 6) return {Verdict::Reject, 5};
    return {Verdict::Accept, 1};
}

TEST(EndToEnd, RejectOnTheInputChain) {
    LabConfig c;
    c.chains.push_back({Hook::Input, 0, &lan_input});
    Lab lab(c);
    std::vector<net::IcmpEvent> errors;
    lab.client.on_icmp([&](const net::IcmpEvent& e) { errors.push_back(e); });
    Capture tcp;
    tcp.attach(lab.client, 6);
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    ASSERT_TRUE(s.send_to({lan_ip, 7}, hello));
    send_tcp(lab.client, lan_ip, 4001, 22, syn, 50);
    lab.run();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, 13);
    ASSERT_EQ(tcp.datagrams.size(), 1u);
    Bytes r = tcp.datagrams[0];
    EXPECT_TRUE(checksums_ok(r));
    EXPECT_EQ(view(r).src(), lan_ip);
    EXPECT_EQ(net::wire::TcpView::parse(view(r).payload())->ack(), 51u);
}

TEST(EndToEnd, DhcpLeavesAMasqueradingIfaceUntouched) {
    LabConfig c;
    c.ifaces[1].source = AddressSource::Dhcp;
    c.ifaces[1].address = c.ifaces[1].netmask = 0;
    Lab lab(c);
    ASSERT_EQ(lab.run_result, 0) << lab.platform.console;
    Receiver dhcp_server(lab.server, 67);
    lab.run();
    ASSERT_FALSE(dhcp_server.sources.empty());
    EXPECT_EQ(dhcp_server.sources[0], (net::UdpEndpoint{net::Ipv4Address{}, 68}));
    EXPECT_EQ(lab.app().counters().masquerade_no_address, 0u);
    // Routed traffic waits for an address to masquerade to.
    net::UdpSocket s(lab.client);
    ASSERT_TRUE(s.bind(4000));
    ASSERT_TRUE(s.send_to({server_ip, 7}, hello));
    lab.run();
}

} // namespace
} // namespace appliance::test
