// For every example that defines filters (and a generated ClassBench-like rule set): 100,000 random
// packets, biased to rule edges, through every chain and every top-level function of the compiled, the
// all-tables and the --linear translations (all three compiled C++): identical verdicts, deciding rules
// and side effects; and on a share of them the reference evaluator (nacl::ir::evaluate) agrees too. The
// all-tables translation prepares every table (--prepare-kib 0): its chains run the way the appliance
// runs a received burst, with their lookup done ahead (appliance::PrepareFunction).
#include "appliance/classifier/decision_tree.hpp"
#include "differential.hpp"
#include "harness_packet.hpp"
#include "nacl/evaluate.hpp"
#include "nacl/front.hpp"
#include "packet_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace codegen_test {
namespace {

constexpr size_t kPackets = 100'000;

class Recorder final : public appliance::ActionSink {
public:
    std::string effects;
    void log(const appliance::RulePacket&, std::uint32_t rule, std::span<const appliance::LogArg>) override {
        effects += " L" + std::to_string(rule);
    }
    void syslog(const appliance::RulePacket&, std::uint32_t rule, appliance::Severity,
                std::span<const appliance::LogArg>) override {
        effects += " S" + std::to_string(rule);
    }
    void nat(appliance::RulePacket& packet, std::uint32_t rule, appliance::NatKind kind, bool has_addr,
             std::uint32_t addr, bool has_port, std::uint16_t port) override {
        effects += " N" + std::to_string(rule);
        bool dst = kind == appliance::NatKind::Dnat;
        if (has_addr) (dst ? packet.daddr : packet.saddr) = addr;
        if (has_port) (dst ? packet.dport : packet.sport) = port;
    }
};

struct Outcome {
    appliance::Decision decision;
    std::string effects;
    bool operator==(const Outcome& o) const {
        return decision.verdict == o.decision.verdict && decision.rule == o.decision.rule &&
               effects == o.effects;
    }
};

// With `prepare`: the chain's table looked up ahead for the packet, as for a burst of one; `used` counts
// the answers the chain took.
Outcome run(appliance::ChainFunction f, const std::uint64_t (&fields)[appliance::field_count],
            appliance::PrepareFunction prepare = nullptr, size_t* used = nullptr) {
    halite_harness::HarnessPacket packet;
    halite_harness::make_packet(fields, packet);
    appliance::classifier::PreparedMatch prepared;
    if (prepare != nullptr) {
        prepare({&packet.packet, 1}, &prepared);
        packet.packet.prepared = &prepared;
    }
    Recorder sink;
    Outcome o;
    o.decision = f(packet.packet, sink);
    o.effects = sink.effects;
    if (used != nullptr) *used += prepared.used;
    return o;
}

std::string describe(const nacl::ir::Packet& p) {
    std::string out;
    for (size_t i = 0; i < nacl::ir::kFieldCount; ++i)
        if (p.fields[i])
            out += std::string(nacl::ir::field_info(nacl::ir::Field(i)).name) + "=" +
                   std::to_string(p.fields[i]) + " ";
    return out + "iif=" + p.iif + " oif=" + p.oif;
}

std::string describe(const Outcome& o) {
    return "verdict " + std::to_string(int(o.decision.verdict)) + " rule " +
           (o.decision.rule == appliance::rule_none ? std::string("none") : std::to_string(o.decision.rule)) +
           " effects [" + o.effects + " ]";
}

// The reference's effects as kind + location (logs in order, then nat events, as it lists them).
std::string reference_effects(const nacl::ir::Decision& d) {
    std::string out;
    for (auto& log : d.logs)
        out += (log.severity ? " S" : " L") + std::to_string(log.location.line) + ":" +
               std::to_string(log.location.column);
    for (auto& nat : d.nat)
        out += " N" + std::to_string(nat.location.line) + ":" + std::to_string(nat.location.column);
    return out;
}

// The generated effects as kind + location (nat events last, as the reference lists them apart).
std::string located_effects(const Outcome& o, const appliance::Config& config) {
    std::string logs, nats;
    std::istringstream in(o.effects);
    std::string item;
    while (in >> item) {
        auto rule = std::stoul(item.substr(1));
        const auto& info = config.rules[rule];
        std::string text =
            " " + item.substr(0, 1) + std::to_string(info.line) + ":" + std::to_string(info.column);
        (item[0] == 'N' ? nats : logs) += text;
    }
    return logs + nats;
}

class Differential : public testing::TestWithParam<DifferentialConfig> {};

TEST_P(Differential, CompiledTablesAndLinearAgreeWithTheReference) {
    const DifferentialConfig& c = GetParam();
    std::ifstream in(c.path);
    ASSERT_TRUE(in) << c.path;
    std::stringstream text;
    text << in.rdbuf();
    nacl::SourceFile file(c.path, text.str());
    nacl::Diagnostics diags;
    auto program = nacl::compile(file, diags);
    ASSERT_TRUE(program);

    // Entry points: every chain, then every top-level function.
    struct Entry {
        std::string name;
        appliance::ChainFunction linear, compiled, tables;
        appliance::PrepareFunction prepare; // of the all-tables translation's chain
        const nacl::ir::Chain* chain;
        size_t function;
    };
    std::vector<Entry> entries;
    for (size_t i = 0; i < program->chains.size(); ++i)
        entries.push_back({"chain " + std::to_string(i), c.linear.config->chains[i].function,
                           c.compiled.config->chains[i].function, c.tables.config->chains[i].function,
                           c.tables.config->chains[i].prepare, &program->chains[i], 0});
    ASSERT_EQ(*c.linear.function_count, *c.compiled.function_count);
    size_t function_index = 0;
    for (size_t f = 0; f < program->functions.size(); ++f) {
        if (program->functions[f].subtype != nacl::ir::Protocol::Ip) continue;
        entries.push_back({"function " + program->functions[f].name, c.linear.functions[function_index],
                           c.compiled.functions[function_index], c.tables.functions[function_index], nullptr,
                           nullptr, f});
        ++function_index;
    }
    const appliance::Config& config = *c.linear.config;
    // The rule tables of the translations are the same.
    ASSERT_EQ(config.rules.size(), c.compiled.config->rules.size());
    for (size_t r = 0; r < config.rules.size(); ++r) {
        ASSERT_EQ(config.rules[r].line, c.compiled.config->rules[r].line);
        ASSERT_EQ(config.rules[r].column, c.compiled.config->rules[r].column);
    }

    // The reference is slow on large rule sets: check it on a share of the packets there.
    size_t reference_every = config.rules.size() > 500 ? 8 : 1;
    PacketGenerator generator(*program, 20261123);
    size_t failures = 0, decided_by_rule = 0, prepared_used = 0;
    const bool prepared = std::any_of(entries.begin(), entries.end(), [](auto& e) { return e.prepare; });
    for (size_t n = 0; n < kPackets && failures < 10; ++n) {
        nacl::ir::Packet packet = generator.next();
        std::array<uint64_t, nacl::ir::kFieldCount> fields = packet.fields;
        auto index = [&](const std::string& name) -> uint64_t {
            for (size_t i = 0; i < program->interfaces.size(); ++i)
                if (!name.empty() && program->interfaces[i].name == name) return i;
            return appliance::no_iface;
        };
        fields[size_t(nacl::ir::Field::Iif)] = index(packet.iif);
        fields[size_t(nacl::ir::Field::Oif)] = index(packet.oif);
        std::uint64_t raw[appliance::field_count];
        std::copy(fields.begin(), fields.end(), raw);
        for (auto& e : entries) {
            Outcome linear = run(e.linear, raw), compiled = run(e.compiled, raw),
                    tables = run(e.tables, raw, e.prepare, &prepared_used);
            if (!(linear == compiled) || !(linear == tables)) {
                ADD_FAILURE() << c.name << " " << e.name << ": " << describe(packet) << "\n  linear   "
                              << describe(linear) << "\n  compiled " << describe(compiled) << "\n  tables   "
                              << describe(tables);
                ++failures;
                continue;
            }
            decided_by_rule += linear.decision.rule != appliance::rule_none;
            if (n % reference_every) continue;
            nacl::ir::Decision reference;
            if (e.chain) {
                reference = nacl::ir::evaluate(*program, *e.chain, packet);
            } else {
                auto r = nacl::ir::evaluate_function(*program, e.function, packet);
                reference = r.decision;
            }
            bool same_rule =
                linear.decision.rule == appliance::rule_none
                    ? !reference.location
                    : reference.location &&
                          config.rules[linear.decision.rule].line == reference.location->line &&
                          config.rules[linear.decision.rule].column == reference.location->column &&
                          reference.function == config.rules[linear.decision.rule].function;
            std::string expected_effects = reference_effects(reference);
            if (uint8_t(reference.verdict) != uint8_t(linear.decision.verdict) || !same_rule ||
                expected_effects != located_effects(linear, config)) {
                ADD_FAILURE() << c.name << " " << e.name << ": " << describe(packet) << "\n  generated "
                              << describe(linear) << " = " << located_effects(linear, config)
                              << "\n  reference verdict " << int(reference.verdict) << " at "
                              << (reference.location ? std::to_string(reference.location->line) + ":" +
                                                           std::to_string(reference.location->column)
                                                     : std::string("none"))
                              << " effects [" << expected_effects << " ]";
                ++failures;
            }
        }
    }
    // The packets reach rules, not only the default: the test would be weak otherwise.
    EXPECT_GT(decided_by_rule, kPackets / 10);
    // The chains with a prepared table took prepared answers (not every packet reaches the table: rules
    // before it decide some, and a packet rewritten by NAT before it has another key).
    if (prepared) EXPECT_GT(prepared_used, 0u) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Examples, Differential, testing::ValuesIn(differential_configs()),
                         [](const testing::TestParamInfo<DifferentialConfig>& info) {
                             return std::string(info.param.name);
                         });

} // namespace
} // namespace codegen_test
