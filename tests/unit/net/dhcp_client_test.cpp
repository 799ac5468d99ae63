// The DHCP client state machine (RFC 2131 4.4) without any I/O.
#include "harness.hpp"
#include "net/dhcp_client.hpp"

#include <gtest/gtest.h>

namespace net::test {
namespace {

using Configure = DhcpClient::Action::Configure;
const Ipv4Address server{10, 0, 0, 1};
const Ipv4Address offered{10, 0, 0, 50};

wire::DhcpRepr reply(std::uint8_t type, std::uint32_t xid, std::uint32_t lease = 100) {
    wire::DhcpRepr m;
    m.op = 2;
    m.message_type = type;
    m.xid = xid;
    m.yiaddr = offered;
    m.client_mac = mac_of(1);
    m.server_id = server;
    m.subnet_mask = Ipv4Address{255, 255, 255, 0};
    m.router = server;
    m.lease_time = lease;
    return m;
}

TEST(DhcpClient, DiscoverRetransmitsWithBackoff) {
    DhcpClient c(mac_of(1), {});
    auto a = c.start(at(0s));
    ASSERT_TRUE(a.send);
    EXPECT_EQ(a.send->message_type, wire::dhcp_msg::discover);
    EXPECT_TRUE(a.send->broadcast);
    EXPECT_EQ(a.send_to, Ipv4Address::broadcast());
    EXPECT_EQ(c.state(), DhcpState::Selecting);
    EXPECT_EQ(c.next_deadline(), at(4s));
    EXPECT_FALSE(c.poll(at(3s)).send);
    EXPECT_TRUE(c.poll(at(4s)).send);
    EXPECT_EQ(c.next_deadline(), at(12s));
    EXPECT_TRUE(c.poll(at(12s)).send);
    EXPECT_EQ(c.next_deadline(), at(28s));
}

TEST(DhcpClient, FullExchangeRenewRebindExpire) {
    DhcpClient c(mac_of(1), {});
    const std::uint32_t xid = c.start(at(0s)).send->xid;
    // Replies for another transaction or another client are ignored.
    EXPECT_FALSE(c.on_message(reply(wire::dhcp_msg::offer, xid + 1), at(1s)).send);
    auto other = reply(wire::dhcp_msg::offer, xid);
    other.client_mac = mac_of(9);
    EXPECT_FALSE(c.on_message(other, at(1s)).send);

    auto req = c.on_message(reply(wire::dhcp_msg::offer, xid), at(1s));
    ASSERT_TRUE(req.send);
    EXPECT_EQ(req.send->message_type, wire::dhcp_msg::request);
    EXPECT_EQ(req.send->requested_ip, offered);
    EXPECT_EQ(req.send->server_id, server);
    EXPECT_EQ(c.state(), DhcpState::Requesting);

    auto bound = c.on_message(reply(wire::dhcp_msg::ack, xid), at(2s));
    EXPECT_EQ(bound.configure, Configure::Apply);
    EXPECT_EQ(bound.config.address, offered);
    EXPECT_EQ(bound.config.netmask, (Ipv4Address{255, 255, 255, 0}));
    EXPECT_EQ(bound.config.gateway, server);
    EXPECT_EQ(c.state(), DhcpState::Bound);
    EXPECT_EQ(c.next_deadline(), at(52s)); // T1 = lease / 2

    auto renew = c.poll(at(52s));
    ASSERT_TRUE(renew.send);
    EXPECT_EQ(c.state(), DhcpState::Renewing);
    EXPECT_EQ(renew.send_to, server);
    EXPECT_EQ(renew.send->ciaddr, offered);
    EXPECT_FALSE(renew.send->server_id);

    // The renewal is answered with the same lease: nothing to reconfigure.
    auto same = c.on_message(reply(wire::dhcp_msg::ack, xid), at(53s));
    EXPECT_EQ(same.configure, Configure::None);
    EXPECT_EQ(c.state(), DhcpState::Bound);

    // No answers now: renew at T1, rebind at T2 (7/8), drop the address at expiry.
    EXPECT_TRUE(c.poll(at(103s)).send);
    EXPECT_EQ(c.state(), DhcpState::Renewing);
    auto rebind = c.poll(at(141s));
    ASSERT_TRUE(rebind.send);
    EXPECT_EQ(c.state(), DhcpState::Rebinding);
    EXPECT_EQ(rebind.send_to, Ipv4Address::broadcast());
    auto expired = c.poll(at(153s));
    EXPECT_EQ(expired.configure, Configure::Remove);
    ASSERT_TRUE(expired.send);
    EXPECT_EQ(expired.send->message_type, wire::dhcp_msg::discover);
    EXPECT_EQ(c.state(), DhcpState::Selecting);
}

TEST(DhcpClient, NakRestarts) {
    DhcpClient c(mac_of(1), {});
    const std::uint32_t xid = c.start(at(0s)).send->xid;
    (void)c.on_message(reply(wire::dhcp_msg::offer, xid), at(1s));
    auto nak = c.on_message(reply(wire::dhcp_msg::nak, xid), at(2s));
    ASSERT_TRUE(nak.send);
    EXPECT_EQ(nak.send->message_type, wire::dhcp_msg::discover);
    EXPECT_NE(nak.send->xid, xid);
    EXPECT_EQ(c.state(), DhcpState::Selecting);
}

TEST(DhcpClient, FallsBackToStaticAfterTimeout) {
    DhcpConfig config;
    config.timeout = 10s;
    config.fallback = StaticConfig{{192, 168, 0, 10}, {255, 255, 255, 0}, {192, 168, 0, 1}};
    DhcpClient c(mac_of(1), config);
    (void)c.start(at(0s));
    EXPECT_EQ(c.next_deadline(), at(4s));
    (void)c.poll(at(4s));
    EXPECT_EQ(c.next_deadline(), at(10s));
    auto fb = c.poll(at(10s));
    EXPECT_EQ(fb.configure, Configure::Apply);
    EXPECT_EQ(fb.config.address, (Ipv4Address{192, 168, 0, 10}));
    EXPECT_EQ(c.state(), DhcpState::FellBack);
    EXPECT_FALSE(c.next_deadline());
    EXPECT_FALSE(c.accepting());
}

TEST(DhcpClient, InfiniteLeaseHasNoTimers) {
    DhcpClient c(mac_of(1), {});
    const std::uint32_t xid = c.start(at(0s)).send->xid;
    (void)c.on_message(reply(wire::dhcp_msg::offer, xid), at(0s));
    (void)c.on_message(reply(wire::dhcp_msg::ack, xid, 0xffffffffu), at(0s));
    EXPECT_EQ(c.state(), DhcpState::Bound);
    EXPECT_FALSE(c.next_deadline());
}

} // namespace
} // namespace net::test
