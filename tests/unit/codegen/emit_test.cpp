#include "codegen/emit_cpp.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

namespace codegen {
namespace {

const char* const kExamples[] = {"firewall.nacl",   "functions.nacl", "properties.nacl",   "router_nat.nacl",
                                 "interfaces.nacl", "one_line.nacl",  "load_balancer.nacl"};

TEST(EmitCpp, DeterministicAndBothTranslationsNumberRulesAlike) {
    for (const char* example : kExamples) {
        auto program = codegen_test::compile_example(example);
        EmitOptions compiled, linear, tables;
        linear.linear = true;
        tables.table_threshold = 1;
        auto a = emit_cpp(program, compiled), b = emit_cpp(program, compiled);
        EXPECT_EQ(a.text, b.text) << example;
        auto l = emit_cpp(program, linear), t = emit_cpp(program, tables);
        ASSERT_EQ(a.rules.size(), l.rules.size()) << example;
        ASSERT_EQ(a.rules.size(), t.rules.size()) << example;
        for (size_t i = 0; i < a.rules.size(); ++i) {
            EXPECT_EQ(a.rules[i].location, l.rules[i].location) << example << " rule " << i;
            EXPECT_EQ(a.rules[i].function, l.rules[i].function);
        }
        EXPECT_EQ(l.text.find("classifier::first_match"), std::string::npos) << example;
    }
}

// `count` rules of one run: TCP from 10.i.0.0/16 to port 1000 + i is accepted.
std::string tcp_rules(int count) {
    std::string text;
    for (int i = 0; i < count; ++i)
        text += "  Filter::TCP { if (ip.saddr in 10." + std::to_string(i) +
                ".0.0/16 and tcp.dport == " + std::to_string(1000 + i) + ") { accept } }\n";
    return text;
}

TEST(EmitCpp, LongRunsBecomeTablesAndKeepTheirSourceLocations) {
    std::string text =
        "Iface e { index: 0, address: 10.0.0.1, netmask: 255.255.255.0, input: f }\nFilter::IP f {\n";
    text += tcp_rules(40);
    text += "  if (ip.ttl < 3) { log(\"low\") drop }\n  drop\n}\n";
    auto program = codegen_test::compile_text(text, "runs.nacl");
    // By default (runs of 24 rules or more) a run of 41 rules is a table, and at 16 too.
    EXPECT_EQ(emit_cpp(program).stats.tables, 1u);
    EmitOptions low;
    low.table_threshold = 16;
    auto out = emit_cpp(program, low);
    EXPECT_EQ(out.stats.tables, 1u);
    EXPECT_EQ(out.stats.table_rules, 41u); // 40 rules and the last ttl rule (its log is a side effect)
    EXPECT_NE(out.text.find("classifier::first_match_inline<1, fn_0_f_t0_shapes>(fn_0_f_t0, key)"),
              std::string::npos);
    EXPECT_NE(out.text.find("// 0: runs.nacl:3:70"), std::string::npos) << out.text.substr(0, 3000);
    EXPECT_NE(out.text.find("// 39: runs.nacl:42:71"), std::string::npos);
    EXPECT_NE(out.text.find("case 40:"), std::string::npos); // the logging rule's effect
    // Below the threshold everything is plain code.
    EmitOptions high;
    high.table_threshold = 100;
    EXPECT_EQ(emit_cpp(program, high).stats.tables, 0u);
}

TEST(EmitCpp, LargeTablesArePreparedForBursts) {
    std::string text = "Iface e { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\n"
                       "Gateway gw { r: { net: 0.0.0.0, netmask: 0.0.0.0, iface: e }, forward: f }\n"
                       "Filter::IP f {\n" +
                       tcp_rules(200) + "  drop\n}\n";
    auto program = codegen_test::compile_text(text, "burst.nacl");
    // Small tables stay in cache: no prepare function, the chain looks up one packet at a time.
    auto small = emit_cpp(program).text;
    EXPECT_EQ(small.find("_prepare"), std::string::npos);
    EXPECT_NE(small.find("classifier::first_match_inline<1, fn_0_f_t0_shapes>(fn_0_f_t0, key)"),
              std::string::npos);
    EmitOptions all;
    all.prepare_min_bytes = 0;
    auto out = emit_cpp(program, all).text;
    EXPECT_NE(
        out.find(
            "void fn_0_f_t0_prepare(std::span<const RulePacket> packets, classifier::PreparedMatch* out)"),
        std::string::npos);
    EXPECT_NE(
        out.find("classifier::prepare_matches_inline<1, fn_0_f_t0_shapes>(fn_0_f_t0, out, packets.size());"),
        std::string::npos);
    EXPECT_NE(out.find("classifier::first_match_inline<1, fn_0_f_t0_shapes>(fn_0_f_t0, key, p.prepared)"),
              std::string::npos);
    EXPECT_NE(out.find("{appliance::Hook::Forward, appliance::no_iface, chain_0, fn_0_f_t0_prepare}"),
              std::string::npos);
}

TEST(EmitCpp, EntryShapesThatEveryClassSharesAreConstants) {
    // 1,200 servers in /24s of their own: rules without a protocol, so every protocol class hashes the same
    // /24s of ip.daddr, and 20 TCP rules about one client and one server.
    std::string text = "Iface e { index: 0, address: 10.0.0.1, netmask: 255.255.255.0 }\n"
                       "Gateway gw { r: { net: 0.0.0.0, netmask: 0.0.0.0, iface: e }, forward: f }\n"
                       "Filter::IP f {\n";
    for (int i = 0; i < 1200; ++i)
        text += "  if (ip.daddr == 20." + std::to_string(i / 200) + "." + std::to_string(i % 200) +
                ".7) { accept }\n";
    for (int i = 0; i < 20; ++i)
        text += "  Filter::TCP { if (ip.saddr == 30.0." + std::to_string(i) + ".1 and ip.daddr == 40.0." +
                std::to_string(i) + ".1) { drop } }\n";
    text += "  drop\n}\n";
    auto program = codegen_test::compile_text(text, "shapes.nacl");
    auto out = emit_cpp(program).text;
    // ip.daddr (dimension 2: protocol, saddr, daddr), /24 parts, hashed: the same in every class.
    auto shapes = out.find("constexpr classifier::Tree fn_0_f_t0_shapes[] = {{2, 0, 8, 16777215, ");
    ASSERT_NE(shapes, std::string::npos) << out.substr(0, 4000);
    EXPECT_NE(out.find("static_assert(classifier::shapes_agree<"), std::string::npos);
    EXPECT_NE(out.find("classifier::first_match_inline<"), std::string::npos);
}

TEST(EmitCpp, ConfigCarriesTheAppliance) {
    auto program = codegen_test::compile_example("interfaces.nacl");
    auto text = emit_cpp(program).text;
    EXPECT_NE(text.find(".name = \"lab\", .nic_index = -1, .mac = \"c0:01:0a:00:00:2a\""), std::string::npos);
    EXPECT_NE(text.find(".source = appliance::AddressSource::DhcpWithFallback"), std::string::npos);
    EXPECT_NE(text.find(".vlan = 20"), std::string::npos);
    EXPECT_NE(text.find("int main() {\n    return appliance::run(halite_generated::config);"),
              std::string::npos);
    EXPECT_NE(text.find("#ifndef HALITE_CHAINS_ONLY"), std::string::npos);
}

} // namespace
} // namespace codegen
