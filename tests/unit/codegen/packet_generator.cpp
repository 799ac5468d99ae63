#include "packet_generator.hpp"

#include "codegen/flatten.hpp"
#include "codegen/rule_runs.hpp"
#include "codegen/value_sets.hpp"

namespace codegen_test {

using nacl::ir::Field;

namespace {

uint64_t field_max(Field f) {
    const auto& info = nacl::ir::field_info(f);
    return info.type == nacl::ir::FieldType::Address ? 0xffffffff : info.max;
}

void add_bounds(std::vector<uint64_t>& pool, uint64_t low, uint64_t high, uint64_t max) {
    for (uint64_t v : {low, high})
        pool.push_back(v);
    if (low > 0) pool.push_back(low - 1);
    if (high < max) pool.push_back(high + 1);
}

void collect(const nacl::ir::Expr& e, const nacl::ir::Program& program,
             std::map<Field, std::vector<uint64_t>>& pools) {
    if (e.kind != nacl::ir::Expr::Kind::Test) {
        for (auto& o : e.operands)
            collect(o, program, pools);
        return;
    }
    const auto& t = e.test;
    if (t.field == Field::Iif || t.field == Field::Oif || t.field == Field::CtState) return;
    auto& pool = pools[t.field];
    uint64_t max = field_max(t.field);
    if (t.op == nacl::ir::TestOp::HasFlags) {
        pool.push_back(t.number);
        pool.push_back(t.number | 0x10);
        pool.push_back(0x1ff & ~t.number);
        return;
    }
    for (auto& i : codegen::test_values(t, {&program, 0}))
        add_bounds(pool, i.low, std::min<uint64_t>(i.high, max), max);
}

void collect_body(const std::vector<nacl::ir::Statement>& body, const nacl::ir::Program& program,
                  std::map<Field, std::vector<uint64_t>>& pools) {
    for (auto& s : body) {
        for (auto& b : s.branches) {
            collect(b.condition, program, pools);
            collect_body(b.body, program, pools);
        }
        collect_body(s.body, program, pools);
    }
}

} // namespace

PacketGenerator::PacketGenerator(const nacl::ir::Program& program, uint64_t seed)
    : program_(program), rng_(seed) {
    for (auto& f : program.functions)
        collect_body(f.body, program, pools_);
    // The terms of every rule's guard, as (field, bit) -> intervals.
    uint32_t next = 0;
    std::vector<codegen::RuleEntry> table;
    for (size_t f : codegen::top_level_functions(program)) {
        auto flat = codegen::flatten(program, f, next, table);
        for (auto& rule : flat.rules) {
            auto dnf = codegen::guard_dnf(rule, {&program, 16});
            if (!dnf) continue;
            for (auto& term : *dnf) {
                std::map<std::pair<int, int>, std::vector<std::pair<uint32_t, uint32_t>>> t;
                for (auto& [d, set] : term)
                    for (auto& i : set)
                        t[{int(d.field), d.bit}].push_back({i.low, i.high});
                terms_.push_back(std::move(t));
            }
        }
    }
}

uint64_t PacketGenerator::field_value(Field f) {
    uint64_t max = field_max(f);
    uint64_t r = rng_() % 10;
    auto it = pools_.find(f);
    if (it != pools_.end() && !it->second.empty() && r < 6) return it->second[rng_() % it->second.size()];
    if (r == 6) return 0;
    if (r == 7) return max;
    return max == 0xffffffff ? rng_() & 0xffffffff : rng_() % (max + 1);
}

nacl::ir::Packet PacketGenerator::scattered() {
    nacl::ir::Packet p;
    for (size_t i = 0; i < nacl::ir::kFieldCount; ++i)
        p.fields[i] = field_value(Field(i));
    uint64_t r = rng_() % 20;
    p.set(Field::IpProtocol, r < 7 ? 6 : r < 12 ? 17 : r < 15 ? 1 : field_value(Field::IpProtocol));
    p.set(Field::CtState, rng_() % 5);
    return p;
}

nacl::ir::Packet PacketGenerator::aimed() {
    nacl::ir::Packet p = scattered();
    if (terms_.empty()) return p;
    const auto& term = terms_[rng_() % terms_.size()];
    // The protocol first: ports land in the fields of that protocol.
    auto proto = term.find({int(Field::IpProtocol), -1});
    if (proto != term.end()) {
        auto [low, high] = proto->second[rng_() % proto->second.size()];
        p.set(Field::IpProtocol, low + rng_() % (uint64_t(high) - low + 1));
    }
    uint64_t protocol = p.get(Field::IpProtocol);
    for (auto& [key, intervals] : term) {
        auto [field_int, bit] = key;
        Field f = Field(field_int);
        if (f == Field::IpProtocol) continue;
        auto [low, high] = intervals[rng_() % intervals.size()];
        uint64_t v;
        switch (rng_() % 6) {
        case 0:
            v = low;
            break;
        case 1:
            v = high;
            break;
        case 2: // just outside: the edge must not match
            v = low > 0 ? low - 1 : uint64_t(high) + 1;
            break;
        default:
            v = low + rng_() % (uint64_t(high) - low + 1);
            break;
        }
        if (bit >= 0) {
            uint64_t flags = p.get(Field::TcpFlags);
            p.set(Field::TcpFlags, (v & 1) ? flags | (1u << bit) : flags & ~(1u << bit));
            continue;
        }
        if (f == Field::TcpSport && protocol == 17) f = Field::UdpSport;
        if (f == Field::TcpDport && protocol == 17) f = Field::UdpDport;
        if (f == Field::Iif || f == Field::Oif) {
            if (v < program_.interfaces.size())
                (f == Field::Iif ? p.iif : p.oif) = program_.interfaces[v].name;
            continue;
        }
        p.set(f, std::min<uint64_t>(v, field_max(f)));
    }
    return p;
}

void PacketGenerator::finish(nacl::ir::Packet& p) {
    uint64_t protocol = p.get(Field::IpProtocol);
    // Fields of a transport header the packet does not have are 0 (the RulePacket's model).
    for (size_t i = 0; i < nacl::ir::kFieldCount; ++i) {
        auto owner = nacl::ir::field_info(Field(i)).protocol;
        bool present = owner == nacl::ir::Protocol::Ip ||
                       (owner == nacl::ir::Protocol::Tcp && protocol == 6) ||
                       (owner == nacl::ir::Protocol::Udp && protocol == 17) ||
                       (owner == nacl::ir::Protocol::Icmp && protocol == 1);
        if (!present) p.fields[i] = 0;
    }
    p.set(Field::CtState, p.get(Field::CtState) % 5);
}

nacl::ir::Packet PacketGenerator::next() {
    nacl::ir::Packet p = rng_() % 2 ? aimed() : scattered();
    auto iface = [&](std::string current) {
        if (!current.empty() && rng_() % 2) return current;
        size_t n = program_.interfaces.size();
        uint64_t r = rng_() % (n + 1);
        return r < n ? program_.interfaces[r].name : std::string();
    };
    p.iif = iface(p.iif);
    p.oif = iface(p.oif);
    finish(p);
    return p;
}

} // namespace codegen_test
