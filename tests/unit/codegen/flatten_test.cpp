#include "codegen/flatten.hpp"
#include "nacl/evaluate.hpp"
#include "packet_generator.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace codegen {
namespace {

// First match over flat rules, evaluated with the reference's own `matches`.
struct FlatResult {
    bool decided = false;
    uint32_t rule = 0;
    nacl::ir::ActionKind kind = nacl::ir::ActionKind::Accept;
    std::vector<uint32_t> effects;
};

FlatResult run_flat(const FlatFunction& flat, const nacl::ir::Packet& p) {
    FlatResult out;
    for (const Rule& rule : flat.rules) {
        bool holds = true;
        for (const Literal& l : rule.guard) {
            bool v =
                l.expr ? nacl::ir::matches(*l.expr, p) : p.get(nacl::ir::Field::IpProtocol) == l.protocol;
            holds = holds && (v != l.negated);
        }
        if (!holds) continue;
        for (auto& e : rule.effects)
            out.effects.push_back(e.index);
        if (rule.verdict) {
            if (rule.verdict->action->kind == nacl::ir::ActionKind::Dnat ||
                rule.verdict->action->kind == nacl::ir::ActionKind::Snat)
                out.effects.push_back(rule.verdict->index);
            out.decided = true;
            out.rule = rule.verdict->index;
            out.kind = rule.verdict->action->kind;
            return out;
        }
    }
    return out;
}

// Flattening keeps the meaning of every top-level function of every example: same verdict, same deciding
// statement, same log and nat statements in the same order as the reference evaluator.
TEST(Flatten, FirstMatchOverFlatRulesEqualsTheReference) {
    for (const char* example : {"firewall.nacl", "functions.nacl", "properties.nacl", "router_nat.nacl",
                                "interfaces.nacl", "one_line.nacl"}) {
        auto program = codegen_test::compile_example(example);
        uint32_t next = 0;
        std::vector<RuleEntry> table;
        std::vector<FlatFunction> flats;
        for (size_t f : top_level_functions(program))
            flats.push_back(flatten(program, f, next, table));
        ASSERT_EQ(table.size(), next);
        codegen_test::PacketGenerator packets(program, 11);
        for (int n = 0; n < 20000; ++n) {
            auto p = packets.next();
            for (auto& flat : flats) {
                FlatResult got = run_flat(flat, p);
                auto ref = nacl::ir::evaluate_function(program, flat.function, p);
                bool ref_decided = ref.decision.location.has_value();
                ASSERT_EQ(got.decided, ref_decided)
                    << example << " " << program.functions[flat.function].name;
                if (got.decided) {
                    EXPECT_EQ(table[got.rule].location, *ref.decision.location);
                    EXPECT_EQ(table[got.rule].function, ref.decision.function);
                    auto verdict = got.kind == nacl::ir::ActionKind::Drop     ? nacl::ir::Verdict::Drop
                                   : got.kind == nacl::ir::ActionKind::Reject ? nacl::ir::Verdict::Reject
                                                                              : nacl::ir::Verdict::Accept;
                    EXPECT_EQ(verdict, ref.decision.verdict);
                }
                std::vector<nacl::ir::Location> want;
                for (auto& l : ref.decision.logs)
                    want.push_back(l.location);
                for (auto& nat : ref.decision.nat)
                    want.push_back(nat.location);
                std::vector<nacl::ir::Location> have;
                for (auto e : got.effects)
                    have.push_back(table[e].location);
                ASSERT_EQ(have, want) << example << " " << program.functions[flat.function].name;
            }
        }
    }
}

const char* const kElseIf = R"(
Iface e { index: 0, address: 10.0.0.1, netmask: 255.255.255.0, input: f }
Filter::TCP helper { if (tcp.dport == 22) { accept } }
Filter::IP f {
    if (ip.ttl < 2) { drop }
    else if (ip.ttl < 5) { log("low ttl") }
    else if (ip.saddr == 10.0.0.9) { reject }
    else { Filter::TCP { if (tcp.dport == 80) { accept } } }
    helper
    accept
}
)";

TEST(Flatten, ElseIfNeedsNegationsOnlyBelowBranchesThatMayNotDecide) {
    auto program = codegen_test::compile_text(kElseIf);
    uint32_t next = 0;
    std::vector<RuleEntry> table;
    auto flat = flatten(program, 1, next, table);
    ASSERT_EQ(flat.rules.size(), 6u);
    // `drop` under ip.ttl < 2: one literal.
    EXPECT_EQ(flat.rules[0].guard.size(), 1u);
    // the log: ttl < 5 (no negation of the deciding first branch).
    EXPECT_EQ(flat.rules[1].guard.size(), 1u);
    EXPECT_FALSE(flat.rules[1].verdict);
    // reject: not (ttl < 5) (the log branch may not decide) and saddr.
    ASSERT_EQ(flat.rules[2].guard.size(), 2u);
    EXPECT_TRUE(flat.rules[2].guard[0].negated);
    // else: not (ttl < 5), protocol 6, dport 80.
    ASSERT_EQ(flat.rules[3].guard.size(), 3u);
    EXPECT_EQ(flat.rules[3].guard[1].expr, nullptr);
    EXPECT_EQ(flat.rules[3].guard[1].protocol, 6);
    // the call of a Filter::TCP adds its protocol check.
    ASSERT_EQ(flat.rules[4].guard.size(), 2u);
    EXPECT_EQ(flat.rules[4].guard[0].protocol, 6);
    EXPECT_TRUE(flat.rules[5].guard.empty());
    EXPECT_EQ(next, 6u);
    EXPECT_TRUE(always_decides(program, program.functions[1].body, nacl::ir::Protocol::Ip));
    EXPECT_FALSE(always_decides(program, program.functions[0].body, nacl::ir::Protocol::Tcp));
}

} // namespace
} // namespace codegen
