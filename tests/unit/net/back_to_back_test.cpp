// Stacks wired back to back through (lossy) links: ping, UDP under loss, DHCP, routing through a third stack.
#include "harness.hpp"
#include "net/testing/lossy_link.hpp"
#include "net/wire/dhcp.hpp"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace net::test {
namespace {

const Ipv4Address a_ip{10, 0, 0, 1}, b_ip{10, 0, 0, 2};

struct Net {
    std::vector<Stack*> stacks;
    std::vector<testing::LossyLink*> links;
    Instant now = at(1s);
    void run(int rounds, Duration step = 10ms) {
        for (int i = 0; i < rounds; ++i) {
            for (Stack* s : stacks)
                s->poll(now);
            for (auto* l : links)
                l->transfer();
            now += step;
        }
    }
};

TEST(BackToBack, Ping) {
    PacketPool pool(128);
    Host a(pool, 1), b(pool, 2);
    ASSERT_TRUE(a.iface->configure(a_ip, {255, 255, 255, 0}));
    ASSERT_TRUE(b.iface->configure(b_ip, {255, 255, 255, 0}));
    testing::LossyLink link(a.nic, b.nic);
    Net net{{&a.stack, &b.stack}, {&link}};
    std::vector<std::uint16_t> replies;
    a.stack.on_icmp([&](const IcmpEvent& e) {
        if (e.type == wire::icmp_type::echo_reply && e.source == b_ip)
            replies.push_back(e.rest_of_header & 0xffff);
    });
    for (std::uint16_t seq = 1; seq <= 3; ++seq) {
        ASSERT_TRUE(a.stack.send_echo_request(b_ip, 1, seq, testing::bytes_of({1, 2, 3})));
        net.run(3);
    }
    EXPECT_EQ(replies, (std::vector<std::uint16_t>{1, 2, 3}));
    EXPECT_EQ(b.stack.counters().echo_replies_sent, 3u);
    EXPECT_EQ(a.iface->arp().lookup(b_ip, net.now), mac_of(2));
}

TEST(BackToBack, UdpThroughALossyLinkKeepsIntegrity) {
    PacketPool pool(512);
    Host a(pool, 1), b(pool, 2);
    ASSERT_TRUE(a.iface->configure(a_ip, {255, 255, 255, 0}));
    ASSERT_TRUE(b.iface->configure(b_ip, {255, 255, 255, 0}));
    testing::LossyLink link(a.nic, b.nic,
                            {.drop = 10, .duplicate = 10, .reorder = 10, .corrupt = 10, .seed = 7});
    Net net{{&a.stack, &b.stack}, {&link}};

    UdpSocket rx(b.stack), tx(a.stack);
    ASSERT_TRUE(rx.bind(9000));
    ASSERT_TRUE(tx.bind(0));
    std::set<std::uint32_t> seen;
    std::uint64_t bad = 0, datagrams = 0;
    rx.on_receive([&](const UdpDatagram& d) {
        ++datagrams;
        std::uint32_t n = 0;
        if (d.payload.size() != 64) {
            ++bad;
            return;
        }
        std::memcpy(&n, d.payload.data(), 4);
        for (std::size_t i = 4; i < 64; ++i) {
            if (d.payload[i] != std::byte(static_cast<unsigned char>(n + i))) ++bad;
        }
        seen.insert(n);
    });
    // Warm the ARP caches so the loss statistics are about data.
    for (int i = 0; i < 20 && !a.iface->arp().lookup(b_ip, net.now); ++i) {
        (void)a.stack.send_echo_request(b_ip, 1, 1);
        net.run(150, 10ms);
    }
    const std::uint32_t count = 300;
    for (std::uint32_t n = 0; n < count; ++n) {
        Bytes payload(64);
        std::memcpy(payload.data(), &n, 4);
        for (std::size_t i = 4; i < 64; ++i)
            payload[i] = std::byte(static_cast<unsigned char>(n + i));
        ASSERT_TRUE(tx.send_to({b_ip, 9000}, payload));
        net.run(1);
    }
    net.run(500, 10ms);
    EXPECT_EQ(bad, 0u); // corruption never reaches a socket
    EXPECT_GT(seen.size(), count * 6 / 10);
    EXPECT_LT(seen.size(), count);
    EXPECT_GT(datagrams, seen.size()); // duplicates arrive twice: UDP does not deduplicate
    EXPECT_GT(link.corrupted(), 0u);
    EXPECT_GT(b.stack.counters().total_drops() + a.stack.counters().total_drops(), 0u);
    net.run(1000, 100ms); // let every timer run out
    EXPECT_EQ(pool.available(), pool.count());
}

// A minimal DHCP server for the test (RFC 2131 4.3), on port 67 of stack B.
struct DhcpServer {
    UdpSocket socket;
    Interface& iface;
    Ipv4Address offer;
    std::uint32_t lease = 3600;
    int acks = 0;
    DhcpServer(Stack& s, Interface& i, Ipv4Address o) : socket(s), iface(i), offer(o) {
        EXPECT_TRUE(socket.bind(wire::dhcp_port::server));
        socket.on_receive([this](const UdpDatagram& d) { answer(d); });
    }
    void answer(const UdpDatagram& d) {
        Bytes in(d.payload.begin(), d.payload.end());
        auto view = wire::DhcpView::parse(in);
        ASSERT_TRUE(view);
        auto req = wire::DhcpRepr::parse(*view);
        ASSERT_TRUE(req);
        wire::DhcpRepr out;
        out.op = 2;
        out.xid = req->xid;
        out.client_mac = req->client_mac;
        out.yiaddr = offer;
        out.server_id = iface.address();
        out.subnet_mask = Ipv4Address{255, 255, 255, 0};
        out.router = iface.address();
        out.lease_time = lease;
        if (req->message_type == wire::dhcp_msg::discover) {
            out.message_type = wire::dhcp_msg::offer;
        } else if (req->message_type == wire::dhcp_msg::request) {
            out.message_type = wire::dhcp_msg::ack;
            ++acks;
        } else {
            return;
        }
        Bytes b(wire::DhcpRepr::max_emit_len);
        b.resize(out.emit(b));
        EXPECT_TRUE(socket.send_to({Ipv4Address::broadcast(), wire::dhcp_port::client}, b, iface));
    }
};

TEST(BackToBack, DhcpConfiguresTheClient) {
    PacketPool pool(128);
    Host client(pool, 1), server(pool, 2);
    ASSERT_TRUE(server.iface->configure(b_ip, {255, 255, 255, 0}));
    DhcpServer dhcp(server.stack, *server.iface, {10, 0, 0, 77});
    testing::LossyLink link(client.nic, server.nic);
    Net net{{&client.stack, &server.stack}, {&link}};
    std::vector<DhcpState> events;
    client.stack.on_address_change([&](Interface& i, DhcpState s) {
        EXPECT_EQ(&i, client.iface);
        events.push_back(s);
    });
    client.iface->use_dhcp();
    net.run(20);
    ASSERT_TRUE(client.iface->is_configured());
    EXPECT_EQ(events, std::vector<DhcpState>{DhcpState::Bound}); // one event: the lease was applied
    EXPECT_EQ(client.iface->address(), (Ipv4Address{10, 0, 0, 77}));
    EXPECT_EQ(client.iface->gateway(), b_ip);
    EXPECT_EQ(client.iface->dhcp()->state(), DhcpState::Bound);
    EXPECT_EQ(dhcp.acks, 1);
    // The lease is renewed at T1 by unicast, and the client stays configured.
    net.now += 1800s;
    net.run(20);
    EXPECT_EQ(dhcp.acks, 2);
    EXPECT_EQ(client.iface->dhcp()->state(), DhcpState::Bound);
    EXPECT_GE(events.size(), 1u); // a renewal with the same values may report again; never a removal
    for (DhcpState s : events)
        EXPECT_EQ(s, DhcpState::Bound);
    // And it works: a ping to the server.
    int replies = 0;
    client.stack.on_icmp([&](const IcmpEvent& e) { replies += e.type == wire::icmp_type::echo_reply; });
    ASSERT_TRUE(client.stack.send_echo_request(b_ip, 1, 1));
    net.run(5);
    EXPECT_EQ(replies, 1);
}

TEST(BackToBack, DhcpFallsBackToStaticConfiguration) {
    PacketPool pool(64);
    Host client(pool, 1), nobody(pool, 2);
    testing::LossyLink link(client.nic, nobody.nic);
    Net net{{&client.stack, &nobody.stack}, {&link}};
    DhcpConfig config;
    config.timeout = 10s;
    config.fallback = StaticConfig{{192, 168, 1, 10}, {255, 255, 255, 0}, {192, 168, 1, 1}};
    std::vector<DhcpState> events;
    client.stack.on_address_change([&](Interface&, DhcpState s) { events.push_back(s); });
    client.iface->use_dhcp(config);
    net.run(1); // the platform's first poll starts the client
    for (int i = 0; i < 20 && !client.iface->is_configured(); ++i) {
        auto t = client.stack.poll_at();
        ASSERT_TRUE(t);
        net.now = *t;
        net.run(1);
    }
    ASSERT_TRUE(client.iface->is_configured());
    EXPECT_EQ(client.iface->address(), (Ipv4Address{192, 168, 1, 10}));
    EXPECT_EQ(client.iface->dhcp()->state(), DhcpState::FellBack);
    EXPECT_EQ(events, std::vector<DhcpState>{DhcpState::FellBack});
    // The client started at the first poll (1 s), not when use_dhcp() was called before it.
    EXPECT_GE(net.now, at(11s));
    // DISCOVERs at 1 s and 5 s reached the other host (no server there); the next would have been at 13 s.
    EXPECT_EQ(nobody.iface->counters().drop(DropReason::NoSocket), 2u);
}

TEST(BackToBack, RoutedThroughAThirdStack) {
    PacketPool pool(256);
    Host a(pool, 1), b(pool, 2);
    testing::FakeNic r0(pool, mac_of(10)), r1(pool, mac_of(11));
    Stack router(pool, router_config());
    Interface* eth0 = router.add_interface(r0).value();
    Interface* eth1 = router.add_interface(r1).value();
    ASSERT_TRUE(eth0->configure({10, 0, 1, 1}, {255, 255, 255, 0}));
    ASSERT_TRUE(eth1->configure({10, 0, 2, 1}, {255, 255, 255, 0}));
    ASSERT_TRUE(a.iface->configure({10, 0, 1, 2}, {255, 255, 255, 0}, {10, 0, 1, 1}));
    ASSERT_TRUE(b.iface->configure({10, 0, 2, 2}, {255, 255, 255, 0}, {10, 0, 2, 1}));
    testing::LossyLink left(a.nic, r0), right(r1, b.nic);
    Net net{{&a.stack, &router, &b.stack}, {&left, &right}};

    UdpSocket server(b.stack), client(a.stack);
    ASSERT_TRUE(server.bind(53));
    ASSERT_TRUE(client.bind(0));
    server.on_receive([&](const UdpDatagram& d) { EXPECT_TRUE(server.send_to(d.source, d.payload)); });
    std::vector<std::size_t> answers;
    client.on_receive([&](const UdpDatagram& d) {
        EXPECT_EQ(d.source, (UdpEndpoint{{10, 0, 2, 2}, 53}));
        answers.push_back(d.payload.size());
    });
    ASSERT_TRUE(client.send_to({{10, 0, 2, 2}, 53}, Bytes(100)));
    net.run(10);
    EXPECT_EQ(answers, std::vector<std::size_t>{100});
    EXPECT_EQ(router.counters().forwarded, 2u);

    // Port unreachable travels back through the router too.
    std::vector<IcmpEvent> errors;
    a.stack.on_icmp([&](const IcmpEvent& e) { errors.push_back(e); });
    ASSERT_TRUE(client.send_to({{10, 0, 2, 2}, 54}, Bytes(4)));
    net.run(5);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].type, wire::icmp_type::dest_unreachable);
    EXPECT_EQ(errors[0].code, wire::unreachable_code::port);
    EXPECT_EQ(errors[0].source, (Ipv4Address{10, 0, 2, 2}));
    // An unknown destination: the router answers "net unreachable".
    ASSERT_TRUE(client.send_to({{172, 16, 0, 1}, 54}, Bytes(4)));
    net.run(5);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[1].code, wire::unreachable_code::net);
    EXPECT_EQ(errors[1].source, (Ipv4Address{10, 0, 1, 1}));
}

} // namespace
} // namespace net::test

namespace net::test {
namespace {

TEST(ImpairedNic, ImpairsWhatItReceivesReproducibly) {
    auto run = [](std::uint64_t seed) {
        PacketPool pool(256);
        testing::FakeNic inner(pool, mac_of(1));
        testing::ImpairedNic nic(inner,
                                 {.drop = 20, .duplicate = 20, .reorder = 20, .corrupt = 0, .seed = seed});
        for (int i = 0; i < 100; ++i)
            inner.inject(Bytes(1, std::byte(static_cast<unsigned char>(i))));
        std::vector<int> got;
        PacketBatch batch;
        while (nic.receive(batch) > 0 || !batch.empty()) {
            for (auto& p : batch)
                got.push_back(std::to_integer<int>(p->data()[0]));
            batch.clear();
        }
        EXPECT_GT(nic.impairer().dropped(), 0u);
        EXPECT_GT(nic.impairer().duplicated(), 0u);
        EXPECT_GT(nic.impairer().reordered(), 0u);
        EXPECT_EQ(got.size(), 100 - nic.impairer().dropped() + nic.impairer().duplicated());
        return got;
    };
    EXPECT_EQ(run(3), run(3));
    EXPECT_NE(run(3), run(4));
}

} // namespace
} // namespace net::test
