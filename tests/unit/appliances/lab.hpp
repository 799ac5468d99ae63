// Three stacks back to back through fake NICs: a client on the LAN, the appliance (eth0 lan, eth1 wan)
// brought up by appliance::run() with hand-written chains in the style codegen emits, and a server on the
// WAN. Time moves by hand; every frame crosses the links in both directions each round.
#pragma once

#include "appliance/appliance.hpp"

#include "support.hpp"

#include "net/stack.hpp"
#include "net/testing/fake_nic.hpp"
#include "net/testing/lossy_link.hpp"
#include "net/udp_socket.hpp"
#include "net/wire/ethernet.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace appliance::test {

inline constexpr net::MacAddress mac(std::uint8_t n) {
    return {{0x02, 0, 0, 0, 0, n}};
}

inline const net::Ipv4Address client_ip = ip(10, 0, 1, 2), lan_ip = ip(10, 0, 1, 1),
                              wan_ip = ip(203, 0, 113, 2), server_ip = ip(203, 0, 113, 10),
                              mask24 = ip(255, 255, 255, 0);

// ---- The configuration: what naclc would emit for lab.nacl ----------------------------------------------
//
//   Iface lan { index: 0, address: 10.0.1.1, netmask: 255.255.255.0 }
//   Iface wan { index: 1, address: 203.0.113.2, netmask: 255.255.255.0, masquerade: true,
//               prerouting: port_forwards }
//   Gateway gw { lan_net: {...lan}, wan_net: {...wan}, forward: forward_filter }
//   Nat::IP port_forwards { Nat::UDP { if (udp.dport == 8053) { dnat(10.0.1.2, 53) } } }
//   Filter::IP forward_filter {
//     if (ct.state in [established, related]) { accept }
//     if (ct.state == invalid) { drop }
//     if (ip.protocol == udp and udp.dport == 9) { reject }
//     Filter::TCP { if (tcp.dport == 23) { log("telnet from ", ip.saddr) reject } }
//     if (ct.state == new and iif == lan) { accept }
//     if (ct.state == new and ip.daddr == 10.0.1.2 and ip.protocol == udp) { accept }
//     syslog(warning, "dropped ", ip.saddr, " to ", ip.daddr) drop
//   }

inline const RuleInfo lab_rules[] = {
    {"port_forwards", 6, 9},    // 0 dnat
    {"forward_filter", 9, 5},   // 1 accept (established/related)
    {"forward_filter", 10, 5},  // 2 drop (invalid)
    {"forward_filter", 11, 5},  // 3 reject (udp 9)
    {"forward_filter", 12, 34}, // 4 log telnet
    {"forward_filter", 12, 60}, // 5 reject telnet
    {"forward_filter", 13, 5},  // 6 accept new from lan
    {"forward_filter", 14, 5},  // 7 accept new to the forwarded server
    {"forward_filter", 15, 5},  // 8 syslog
    {"forward_filter", 15, 60}, // 9 drop
};

// Nat::IP port_forwards (lab.nacl:5:1): wan.prerouting
inline Decision lab_wan_prerouting(RulePacket& p, ActionSink& a) {
    // function port_forwards
    if (p.protocol == 17) { // Nat::UDP
        if (p.dport == 8053) {
            a.nat(p, 0, NatKind::Dnat, true, client_ip.value, true, 53); // lab.nacl:6:9
            return {Verdict::Accept, 0};
        }
    }
    return {Verdict::Accept, rule_none};
}

// Filter::IP forward_filter (lab.nacl:8:1): the Gateway's forward chain
inline Decision lab_forward(RulePacket& p, ActionSink& a) {
    if (p.ct == CtState::Established || p.ct == CtState::Related) return {Verdict::Accept, 1};
    if (p.ct == CtState::Invalid) return {Verdict::Drop, 2};
    if (p.protocol == 17 && p.dport == 9) return {Verdict::Reject, 3};
    if (p.protocol == 6) { // Filter::TCP
        if (p.dport == 23) {
            static constexpr LogArg args[] = {{"telnet from ", {}}, {nullptr, FieldId::IpSaddr}};
            a.log(p, 4, args);
            return {Verdict::Reject, 5};
        }
    }
    if (p.ct == CtState::New && p.iif == 0) return {Verdict::Accept, 6};
    if (p.ct == CtState::New && p.daddr == client_ip.value && p.protocol == 17) return {Verdict::Accept, 7};
    static constexpr LogArg args[] = {
        {"dropped ", {}}, {nullptr, FieldId::IpSaddr}, {" to ", {}}, {nullptr, FieldId::IpDaddr}};
    a.syslog(p, 8, Severity::Warning, args);
    return {Verdict::Drop, 9};
}

// The configuration as data, with members tests may change before Lab runs it.
struct LabConfig {
    std::vector<IfaceConfig> ifaces{
        {.name = "lan",
         .nic_index = 0,
         .address = lan_ip.value,
         .netmask = mask24.value,
         .conntrack = true,
         .forwarding = true},
        {.name = "wan",
         .nic_index = 1,
         .address = wan_ip.value,
         .netmask = mask24.value,
         .masquerade = true,
         .conntrack = true,
         .forwarding = true},
    };
    std::vector<RouteConfig> routes{{ip(10, 0, 1, 0).value, 24, 0, 0, 100},
                                    {ip(203, 0, 113, 0).value, 24, 1, 0, 100}};
    std::vector<ChainConfig> chains{{Hook::Prerouting, 1, &lab_wan_prerouting},
                                    {Hook::Forward, no_iface, &lab_forward}};
    std::vector<TimerConfig> timers;
    Config config;

    const Config& build() {
        config.ifaces = ifaces;
        config.gateway = true;
        config.routes = routes;
        config.chains = chains;
        config.timers = timers;
        config.rules = lab_rules;
        config.source_file = "lab.nacl";
        return config;
    }
};

struct Lab {
    net::PacketPool pool{2048};
    net::testing::FakeNic client_nic{pool, mac(1)};
    net::Stack client{pool};
    net::testing::FakeNic lan_nic{pool, mac(0x10)};
    net::testing::FakeNic wan_nic{pool, mac(0x11)};
    net::Stack appliance{pool};
    net::testing::FakeNic server_nic{pool, mac(2)};
    net::Stack server{pool};
    net::testing::LossyLink lan{client_nic, lan_nic};
    net::testing::LossyLink wan{wan_nic, server_nic};
    FakePlatform platform;
    net::Instant now = at(1s);
    int run_result = -1;

    explicit Lab(LabConfig& lc) {
        EXPECT_TRUE(client.add_interface(client_nic).value()->configure(client_ip, mask24, lan_ip));
        (void)appliance.add_interface(lan_nic);
        (void)appliance.add_interface(wan_nic);
        EXPECT_TRUE(server.add_interface(server_nic).value()->configure(server_ip, mask24));
        set_platform(&platform);
        net::set_default_stack(&appliance);
        run_result = appliance::run(lc.build());
    }
    ~Lab() {
        appliance::stop();
        set_platform(nullptr);
        net::set_default_stack(nullptr);
    }
    Appliance& app() { return *current(); }

    void run(int rounds = 20, net::Duration step = 10ms) {
        for (int i = 0; i < rounds; ++i) {
            client.poll(now);
            appliance.poll(now);
            server.poll(now);
            lan.transfer();
            wan.transfer();
            now += step;
        }
    }
    // The server routes the LAN through the appliance (for traffic the appliance must refuse).
    void route_server_to_lan() {
        net::Route r;
        r.destination = net::Ipv4Cidr{ip(10, 0, 1, 0), 24};
        r.gateway = wan_ip;
        r.interface = &server.interfaces()[0];
        EXPECT_TRUE(server.routes().add(r));
    }
};

// Sends a bare TCP segment from `from` (TCP is not in net/: tests write segments themselves).
inline void send_tcp(net::Stack& from, net::Ipv4Address dst, std::uint16_t sport, std::uint16_t dport,
                     std::uint8_t flags, std::uint32_t seq, std::uint32_t ackno = 0, std::uint8_t ttl = 64) {
    auto route = from.route_to(dst);
    ASSERT_TRUE(route);
    net::PacketPtr p = from.pool().allocate();
    ASSERT_TRUE(p && p->append(net::wire::TcpView::min_header_len));
    ASSERT_TRUE((net::wire::TcpRepr{sport, dport, seq, ackno, flags, 4096}.emit(p->data(),
                                                                                route.value().source, dst)));
    net::wire::Ipv4Repr r;
    r.dst = dst;
    r.protocol = net::wire::ip_proto::tcp;
    r.ttl = ttl;
    ASSERT_TRUE(from.send_ipv4(std::move(p), r, route.value()));
}

// Keeps the datagrams of one IP protocol a stack receives for itself.
struct Capture {
    std::vector<Bytes> datagrams;
    void attach(net::Stack& s, std::uint8_t protocol) {
        ASSERT_TRUE(s.set_protocol_handler(protocol, [this](net::Interface&, net::PacketPtr d) {
            datagrams.emplace_back(d->data().begin(), d->data().end());
        }));
    }
};

} // namespace appliance::test
