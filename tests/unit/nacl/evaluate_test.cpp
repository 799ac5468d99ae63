// The reference evaluator: linear, first-match semantics of the IR.
#include "support.hpp"

#include "nacl/evaluate.hpp"

using namespace nacl;
using nacl::test::must_compile;

namespace {

constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1;

uint32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(c) << 8 | d;
}

ir::Packet tcp(uint32_t saddr, uint32_t daddr, uint16_t dport, uint64_t flags = 0x02) {
    ir::Packet p = ir::Packet::make(kTcp, saddr, daddr);
    p.set(ir::Field::TcpDport, dport);
    p.set(ir::Field::TcpFlags, flags);
    return p;
}

const char* kFirewall = R"(
Iface outside { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }
Iface inside { index: 1, address: 10.1.0.1, netmask: 255.255.255.0 }
Gateway gw { a: { net: 10.0.0.0/24, iface: outside }, b: { net: 10.1.0.0/24, iface: inside },
             forward: [sanity, policy] }
banned: [10.0.0.66, 10.0.0.128/26]
Filter::IP sanity {
  if (ct.state == invalid) { drop }
  accept
}
Filter::TCP web {
  if (tcp.dport in [80, 443, 8000-8080]) { accept }
}
Filter::IP policy {
  if (ip.saddr in banned) { log("banned ", ip.saddr) drop }
  web
  Filter::TCP {
    if (tcp.dport == ssh and ip.saddr == 10.0.0.5) { accept }
    if (rst in tcp.flags) { reject }
  }
  Filter::UDP { if (udp.dport == dns) { accept } }
  drop
}
)";

} // namespace

TEST(Evaluate, FirstMatchAndDecidingLocation) {
    auto p = must_compile(kFirewall);
    const ir::Chain* forward = p.find_chain(ir::Hook::Forward, "");
    ASSERT_NE(forward, nullptr);

    auto d = ir::evaluate(p, *forward, tcp(ip4(10, 0, 0, 66), ip4(10, 1, 0, 2), 80));
    EXPECT_EQ(d.verdict, ir::Verdict::Drop);
    EXPECT_EQ(d.location, (ir::Location{15, 54}));
    EXPECT_EQ(d.function, "policy");
    ASSERT_EQ(d.logs.size(), 1u);
    EXPECT_EQ(d.logs[0].text, "banned 10.0.0.66");

    // Banned by prefix.
    EXPECT_EQ(ir::evaluate(p, *forward, tcp(ip4(10, 0, 0, 130), ip4(10, 1, 0, 2), 80)).verdict,
              ir::Verdict::Drop);
}

TEST(Evaluate, AcceptInACalledFunctionEndsTheTopLevelFilter) {
    auto p = must_compile(kFirewall);
    auto d =
        ir::evaluate(p, *p.find_chain(ir::Hook::Forward, ""), tcp(ip4(10, 0, 0, 7), ip4(10, 1, 0, 2), 8080));
    EXPECT_EQ(d.verdict, ir::Verdict::Accept);
    EXPECT_EQ(d.location, (ir::Location{12, 44})); // the accept inside `web`
    EXPECT_EQ(d.function, "policy");
}

TEST(Evaluate, DropInAnEarlierFunctionStopsTheChain) {
    auto p = must_compile(kFirewall);
    auto packet = tcp(ip4(10, 0, 0, 7), ip4(10, 1, 0, 2), 8080);
    packet.set(ir::Field::CtState, uint64_t(ir::CtState::Invalid));
    auto d = ir::evaluate(p, *p.find_chain(ir::Hook::Forward, ""), packet);
    EXPECT_EQ(d.verdict, ir::Verdict::Drop);
    EXPECT_EQ(d.function, "sanity");
}

TEST(Evaluate, NestedFunctionsRunOnlyForTheirProtocol) {
    auto p = must_compile(kFirewall);
    const ir::Chain& forward = *p.find_chain(ir::Hook::Forward, "");
    ir::Packet udp = ir::Packet::make(kUdp, ip4(10, 0, 0, 5), ip4(10, 1, 0, 2));
    udp.set(ir::Field::UdpDport, 53);
    EXPECT_EQ(ir::evaluate(p, forward, udp).verdict, ir::Verdict::Accept);
    // Port 22 in UDP is not the TCP ssh rule.
    udp.set(ir::Field::UdpDport, 22);
    EXPECT_EQ(ir::evaluate(p, forward, udp).verdict, ir::Verdict::Drop);
    EXPECT_EQ(ir::evaluate(p, forward, tcp(ip4(10, 0, 0, 5), ip4(10, 1, 0, 2), 22)).verdict,
              ir::Verdict::Accept);
    EXPECT_EQ(ir::evaluate(p, forward, tcp(ip4(10, 0, 0, 6), ip4(10, 1, 0, 2), 22)).verdict,
              ir::Verdict::Drop);
    ir::Packet icmp = ir::Packet::make(kIcmp, ip4(10, 0, 0, 5), ip4(10, 1, 0, 2));
    EXPECT_EQ(ir::evaluate(p, forward, icmp).verdict, ir::Verdict::Drop);
}

TEST(Evaluate, FlagBitTestAndExactFlags) {
    auto p = must_compile(kFirewall);
    const ir::Chain& forward = *p.find_chain(ir::Hook::Forward, "");
    auto d = ir::evaluate(p, forward, tcp(ip4(10, 0, 0, 9), ip4(10, 1, 0, 2), 25, 0x14)); // rst+ack
    EXPECT_EQ(d.verdict, ir::Verdict::Reject);
    EXPECT_EQ(ir::evaluate(p, forward, tcp(ip4(10, 0, 0, 9), ip4(10, 1, 0, 2), 25, 0x10)).verdict,
              ir::Verdict::Drop);

    auto exact = must_compile("Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n"
                              "Filter::IP f { Filter::TCP { if (tcp.flags == syn) { accept } } drop }\n");
    const ir::Chain& input = *exact.find_chain(ir::Hook::Input, "e");
    EXPECT_EQ(ir::evaluate(exact, input, tcp(1, 2, 3, 0x02)).verdict, ir::Verdict::Accept);
    EXPECT_EQ(ir::evaluate(exact, input, tcp(1, 2, 3, 0x12)).verdict, ir::Verdict::Drop);
}

TEST(Evaluate, PrecedenceNotAndOr) {
    // ttl == 1 or (not ttl == 2 and ttl < 10)
    auto p = must_compile(
        "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n"
        "Filter::IP f { if (ip.ttl == 1 or not ip.ttl == 2 and ip.ttl < 10) { drop } accept }\n");
    const ir::Chain& input = *p.find_chain(ir::Hook::Input, "e");
    auto with_ttl = [](uint64_t ttl) {
        ir::Packet packet = ir::Packet::make(kUdp, 1, 2);
        packet.set(ir::Field::IpTtl, ttl);
        return packet;
    };
    EXPECT_EQ(ir::evaluate(p, input, with_ttl(1)).verdict, ir::Verdict::Drop);
    EXPECT_EQ(ir::evaluate(p, input, with_ttl(2)).verdict, ir::Verdict::Accept);
    EXPECT_EQ(ir::evaluate(p, input, with_ttl(5)).verdict, ir::Verdict::Drop);
    EXPECT_EQ(ir::evaluate(p, input, with_ttl(64)).verdict, ir::Verdict::Accept);
}

TEST(Evaluate, NatRewritesForTheNextFunctions) {
    auto p = must_compile(
        "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, prerouting: [to_server, check] }\n"
        "Nat::IP to_server { Nat::TCP { if (tcp.dport == 80) { dnat(10.1.0.2, 8080) } } }\n"
        "Filter::IP check { Filter::TCP { if (tcp.dport == 8080 and ip.daddr == 10.1.0.2) { accept } } "
        "drop }\n");
    const ir::Chain& pre = *p.find_chain(ir::Hook::Prerouting, "e");
    auto d = ir::evaluate(p, pre, tcp(ip4(10, 0, 0, 9), ip4(10, 0, 0, 1), 80));
    EXPECT_EQ(d.verdict, ir::Verdict::Accept);
    ASSERT_EQ(d.nat.size(), 1u);
    EXPECT_EQ(d.packet.get(ir::Field::IpDaddr), ip4(10, 1, 0, 2));
    EXPECT_EQ(d.packet.get(ir::Field::TcpDport), 8080u);
    // Without the rewrite the filter drops it.
    EXPECT_EQ(ir::evaluate(p, pre, tcp(ip4(10, 0, 0, 9), ip4(10, 0, 0, 1), 81)).verdict, ir::Verdict::Drop);
}

TEST(Evaluate, NatEndsWithImplicitAcceptAndFiltersMayFallThrough) {
    auto p = must_compile(
        "Nat::IP n { log(\"seen\") }\nFilter::IP helper { if (ip.ttl == 1) { drop } }\n"
        "Filter::IP f { helper accept }\nNat::IP n2 { n }\n"
        "Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f, prerouting: n2 }\n");
    auto nat = ir::evaluate_function(p, 0, ir::Packet::make(kUdp, 1, 2));
    EXPECT_TRUE(nat.decided);
    EXPECT_EQ(nat.decision.verdict, ir::Verdict::Accept);
    EXPECT_FALSE(nat.decision.location.has_value());
    auto helper = ir::evaluate_function(p, 1, ir::Packet::make(kUdp, 1, 2));
    EXPECT_FALSE(helper.decided);
}

TEST(Evaluate, InterfacesAndEmptyChain) {
    auto p = must_compile("Iface a { index: 0, address: 10.0.0.1, netmask: 255.0.0.0 }\n"
                          "Iface b { index: 1, address: 10.1.0.1, netmask: 255.255.0.0 }\n"
                          "Gateway gw { r: { net: 10.0.0.0/8, iface: a }, forward: f }\n"
                          "Filter::IP f { if (iif == a and oif in [b]) { accept } drop }\n");
    const ir::Chain& forward = *p.find_chain(ir::Hook::Forward, "");
    ir::Packet packet = ir::Packet::make(kIcmp, 1, 2);
    packet.iif = "a";
    packet.oif = "b";
    EXPECT_EQ(ir::evaluate(p, forward, packet).verdict, ir::Verdict::Accept);
    packet.iif = "b";
    EXPECT_EQ(ir::evaluate(p, forward, packet).verdict, ir::Verdict::Drop);
    ir::Chain empty;
    auto d = ir::evaluate(p, empty, packet);
    EXPECT_EQ(d.verdict, ir::Verdict::Accept);
    EXPECT_FALSE(d.location.has_value());
}

TEST(Evaluate, Ipv6ValuesNeverMatchIpv4Packets) {
    auto p =
        must_compile("Iface e { index: 0, address: 10.0.0.1, netmask: 255.0.0.0, input: f }\n"
                     "Filter::IP f { if (ip.saddr in [2001:db8::/32]) { drop } if (ip.saddr == ::1) { drop } "
                     "accept }\n");
    EXPECT_EQ(ir::evaluate(p, *p.find_chain(ir::Hook::Input, "e"), ir::Packet::make(kUdp, 1, 2)).verdict,
              ir::Verdict::Accept);
}
