#include "codegen/value_sets.hpp"
#include "nacl/evaluate.hpp"
#include "packet_generator.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace codegen {
namespace {

using nacl::ir::Field;

TEST(IntervalSets, NormaliseMergesOverlapsAndNeighbours) {
    EXPECT_EQ(normalise({{5, 9}, {1, 3}, {4, 4}, {20, 30}, {25, 26}}), (IntervalSet{{1, 9}, {20, 30}}));
    EXPECT_EQ(normalise({{0, 0xffffffff}, {7, 8}}), (IntervalSet{{0, 0xffffffff}}));
    EXPECT_EQ(normalise({{3, 2}}), IntervalSet{}); // empty intervals vanish
}

TEST(IntervalSets, IntersectAndComplement) {
    IntervalSet a{{0, 10}, {20, 30}}, b{{5, 25}};
    EXPECT_EQ(intersect(a, b), (IntervalSet{{5, 10}, {20, 25}}));
    EXPECT_EQ(complement(a, 40), (IntervalSet{{11, 19}, {31, 40}}));
    EXPECT_EQ(complement({{0, 65535}}, 65535), IntervalSet{});
    EXPECT_EQ(complement({}, 7), (IntervalSet{{0, 7}}));
    EXPECT_EQ(complement({{0, 0xffffffff}}, 0xffffffff), IntervalSet{});
    EXPECT_TRUE(covers_all({{0, 255}}, 255));
    EXPECT_FALSE(covers_all({{1, 255}}, 255));
}

// Evaluates a DNF on a packet the way a decision table does.
bool dnf_matches(const Dnf& dnf, const nacl::ir::Packet& p, const nacl::ir::Program& program) {
    auto value = [&](const Dimension& d) -> uint64_t {
        if (d.bit >= 0) return p.get(Field::TcpFlags) >> d.bit & 1;
        Field f = d.field;
        bool udp = p.get(Field::IpProtocol) == 17;
        if (f == Field::TcpSport && udp) f = Field::UdpSport;
        if (f == Field::TcpDport && udp) f = Field::UdpDport;
        if (f == Field::Iif || f == Field::Oif) {
            const std::string& name = f == Field::Iif ? p.iif : p.oif;
            for (size_t i = 0; i < program.interfaces.size(); ++i)
                if (!name.empty() && program.interfaces[i].name == name) return i;
            return 0xff;
        }
        return p.get(f);
    };
    for (auto& term : dnf) {
        bool all = true;
        for (auto& [d, set] : term) {
            uint64_t v = value(d);
            bool in = false;
            for (auto& i : set)
                in = in || (v >= i.low && v <= i.high);
            all = all && in;
        }
        if (all) return true;
    }
    return false;
}

// The protocol a condition's fields need (ports are folded, so a tcp.dport test is only compared on TCP).
nacl::ir::Protocol needed_protocol(const nacl::ir::Expr& e) {
    if (e.kind == nacl::ir::Expr::Kind::Test) return nacl::ir::field_info(e.test.field).protocol;
    for (auto& o : e.operands)
        if (auto p = needed_protocol(o); p != nacl::ir::Protocol::Ip) return p;
    return nacl::ir::Protocol::Ip;
}

void collect_conditions(const std::vector<nacl::ir::Statement>& body,
                        std::vector<const nacl::ir::Expr*>& out) {
    for (auto& s : body) {
        for (auto& b : s.branches) {
            out.push_back(&b.condition);
            collect_conditions(b.body, out);
        }
        collect_conditions(s.body, out);
    }
}

// Every condition of the examples, and its negation, has a DNF that agrees with nacl::ir::matches.
TEST(Dnf, AgreesWithTheReferenceOnEveryExampleCondition) {
    for (const char* example : {"properties.nacl", "firewall.nacl", "functions.nacl", "router_nat.nacl"}) {
        auto program = codegen_test::compile_example(example);
        std::vector<const nacl::ir::Expr*> conditions;
        for (auto& f : program.functions)
            collect_conditions(f.body, conditions);
        ASSERT_FALSE(conditions.empty());
        codegen_test::PacketGenerator packets(program, 7);
        ConditionContext ctx{&program, 64};
        for (int n = 0; n < 3000; ++n) {
            auto p = packets.next();
            for (auto* c : conditions) {
                auto needed = needed_protocol(*c);
                uint64_t proto = p.get(Field::IpProtocol);
                if ((needed == nacl::ir::Protocol::Tcp && proto != 6) ||
                    (needed == nacl::ir::Protocol::Udp && proto != 17) ||
                    (needed == nacl::ir::Protocol::Icmp && proto != 1))
                    continue;
                for (bool negated : {false, true}) {
                    auto dnf = to_dnf(*c, negated, ctx);
                    ASSERT_TRUE(dnf);
                    bool expect = nacl::ir::matches(*c, p) != negated;
                    ASSERT_EQ(dnf_matches(*dnf, p, program), expect)
                        << example << " condition #" << (c - conditions[0]);
                }
            }
        }
    }
}

TEST(Dnf, NotOfAndBecomesTwoTermsAndTheBoundHolds) {
    auto program = codegen_test::compile_text(
        "Iface e { index: 0, address: 10.0.0.1, netmask: 255.255.255.0, input: f }\n"
        "Filter::IP f { if (not (ip.saddr in 10.0.0.0/8 and ip.ttl > 5)) { drop } "
        "if (ip.saddr in [1.0.0.1, 1.0.0.3, 1.0.0.5] or ip.daddr in [2.0.0.1, 2.0.0.3]) { drop } accept }\n");
    const auto& c1 = program.functions[0].body[0].branches[0].condition;
    auto dnf = to_dnf(c1, false, {&program, 64});
    ASSERT_TRUE(dnf);
    EXPECT_EQ(dnf->size(), 2u);
    // Three ANDed copies of a two-term OR would need 8 terms.
    nacl::ir::Expr conj;
    conj.kind = nacl::ir::Expr::Kind::And;
    const auto& c2 = program.functions[0].body[1].branches[0].condition;
    conj.operands = {c2, c2, c2};
    EXPECT_FALSE(to_dnf(conj, false, {&program, 4}));
    EXPECT_TRUE(to_dnf(conj, false, {&program, 8}));
    // Boxes: the OR of two address sets is 3 + 2 boxes over (saddr, daddr).
    auto boxes = to_boxes(*to_dnf(c2, false, {&program, 64}), 0,
                          {dimension_of(Field::IpSaddr), dimension_of(Field::IpDaddr)}, 100);
    ASSERT_TRUE(boxes);
    EXPECT_EQ(boxes->size(), 5u);
    EXPECT_FALSE(to_boxes(*to_dnf(c2, false, {&program, 64}), 0,
                          {dimension_of(Field::IpSaddr), dimension_of(Field::IpDaddr)}, 4));
}

TEST(Dnf, FlagBitsAndPortsShareDimensions) {
    EXPECT_EQ(dimension_of(Field::UdpDport), dimension_of(Field::TcpDport));
    EXPECT_EQ(dimension_of(Field::UdpSport), dimension_of(Field::TcpSport));
    nacl::ir::Test t;
    t.field = Field::TcpFlags;
    t.op = nacl::ir::TestOp::HasFlags;
    t.number = 0x12; // syn + ack
    auto positive = test_dnf(t, false, {});
    ASSERT_EQ(positive.size(), 1u);
    EXPECT_EQ(positive[0].size(), 2u); // two bit dimensions, each [1, 1]
    auto negative = test_dnf(t, true, {});
    EXPECT_EQ(negative.size(), 2u); // one bit clear, or the other
}

} // namespace
} // namespace codegen
