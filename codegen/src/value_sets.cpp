#include "codegen/value_sets.hpp"

#include <algorithm>

namespace codegen {

using nacl::ir::Field;
using nacl::ir::FieldType;
using nacl::ir::TestOp;

Dimension dimension_of(Field field) {
    switch (field) {
    case Field::UdpSport:
        return {Field::TcpSport, -1};
    case Field::UdpDport:
        return {Field::TcpDport, -1};
    default:
        return {field, -1};
    }
}

uint32_t dimension_max(const Dimension& d) {
    if (d.bit >= 0) return 1;
    const auto& info = nacl::ir::field_info(d.field);
    switch (info.type) {
    case FieldType::Address:
        return 0xffffffff;
    case FieldType::Iface:
        return 0xff;
    default:
        return static_cast<uint32_t>(info.max);
    }
}

IntervalSet normalise(IntervalSet set) {
    std::sort(set.begin(), set.end());
    IntervalSet out;
    for (const Interval& i : set) {
        if (i.low > i.high) continue;
        if (!out.empty() && (out.back().high == 0xffffffff || i.low <= out.back().high + 1)) {
            out.back().high = std::max(out.back().high, i.high);
        } else {
            out.push_back(i);
        }
    }
    return out;
}

IntervalSet intersect(const IntervalSet& a, const IntervalSet& b) {
    IntervalSet out;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        uint32_t low = std::max(a[i].low, b[j].low), high = std::min(a[i].high, b[j].high);
        if (low <= high) out.push_back({low, high});
        if (a[i].high < b[j].high)
            ++i;
        else
            ++j;
    }
    return out;
}

IntervalSet complement(const IntervalSet& set, uint32_t max) {
    IntervalSet out;
    uint64_t next = 0; // the smallest value not yet accounted for
    for (const Interval& i : set) {
        if (i.low > max) break;
        if (i.low > next) out.push_back({uint32_t(next), i.low - 1});
        next = uint64_t(i.high) + 1;
    }
    if (next <= max) out.push_back({uint32_t(next), max});
    return out;
}

bool covers_all(const IntervalSet& set, uint32_t max) {
    return set.size() == 1 && set[0].low == 0 && set[0].high >= max;
}

namespace {

// The values `op value` accepts in [0, max].
IntervalSet compare_values(TestOp op, uint64_t value, uint32_t max) {
    if (value > max) { // only reachable for out-of-domain literals, which sema rejects; stay exact anyway
        switch (op) {
        case TestOp::Lt:
        case TestOp::Le:
        case TestOp::Ne:
            return {{0, max}};
        default:
            return {};
        }
    }
    uint32_t v = static_cast<uint32_t>(value);
    switch (op) {
    case TestOp::Eq:
        return {{v, v}};
    case TestOp::Ne:
        return complement({{v, v}}, max);
    case TestOp::Lt:
        return v == 0 ? IntervalSet{} : IntervalSet{{0, v - 1}};
    case TestOp::Le:
        return {{0, v}};
    case TestOp::Gt:
        return v == max ? IntervalSet{} : IntervalSet{{v + 1, max}};
    case TestOp::Ge:
        return {{v, max}};
    default:
        return {};
    }
}

uint32_t iface_index(const nacl::ir::Program* program, const std::string& name) {
    if (program)
        for (size_t i = 0; i < program->interfaces.size(); ++i)
            if (program->interfaces[i].name == name) return static_cast<uint32_t>(i);
    return 0x100; // no such Iface: matches no packet (0xff means "none" and must not match either)
}

// The values of a test, positive.
IntervalSet positive_values(const nacl::ir::Test& t, const ConditionContext& ctx, uint32_t max) {
    const auto& info = nacl::ir::field_info(t.field);
    switch (info.type) {
    case FieldType::Iface: {
        if (t.op == TestOp::In) {
            IntervalSet set;
            for (auto& name : t.ifaces) {
                uint32_t i = iface_index(ctx.program, name);
                if (i <= max) set.push_back({i, i});
            }
            return normalise(std::move(set));
        }
        uint32_t i = iface_index(ctx.program, t.iface);
        IntervalSet eq = i <= max ? IntervalSet{{i, i}} : IntervalSet{};
        return t.op == TestOp::Eq ? eq : complement(eq, max);
    }
    case FieldType::Address: {
        if (t.op == TestOp::In) {
            IntervalSet set;
            for (auto& r : t.addresses)
                if (!r.low.v6) set.push_back({r.low.to_v4(), r.high.to_v4()});
            return normalise(std::move(set));
        }
        // Filters see IPv4 packets: an IPv6 value equals none of them.
        if (t.address.v6) return t.op == TestOp::Ne ? IntervalSet{{0, max}} : IntervalSet{};
        return compare_values(t.op, t.address.to_v4(), max);
    }
    default: {
        if (t.op == TestOp::In) {
            IntervalSet set;
            for (auto& r : t.numbers)
                if (r.low <= max) set.push_back({uint32_t(r.low), uint32_t(std::min<uint64_t>(r.high, max))});
            return normalise(std::move(set));
        }
        return compare_values(t.op, t.number, max);
    }
    }
}

} // namespace

IntervalSet test_values(const nacl::ir::Test& t, const ConditionContext& ctx) {
    return positive_values(t, ctx, dimension_max(dimension_of(t.field)));
}

Dnf test_dnf(const nacl::ir::Test& t, bool negated, const ConditionContext& ctx) {
    if (t.op == TestOp::HasFlags) {
        // Every bit of the mask set: one term over the bit dimensions; negated: any bit clear.
        std::vector<Dimension> bits;
        for (int8_t b = 0; b < 9; ++b)
            if (t.number >> b & 1) bits.push_back({Field::TcpFlags, b});
        if (!negated) {
            Term term;
            for (auto& d : bits)
                term[d] = {{1, 1}};
            return {term};
        }
        Dnf out;
        for (auto& d : bits)
            out.push_back(Term{{d, {{0, 0}}}});
        return out;
    }
    Dimension d = dimension_of(t.field);
    uint32_t max = dimension_max(d);
    IntervalSet set = positive_values(t, ctx, max);
    if (negated) set = complement(set, max);
    if (set.empty()) return {}; // never true
    if (covers_all(set, max)) return {Term{}};
    return {Term{{d, std::move(set)}}};
}

namespace {

// Adds the conjunction of a and b to out unless it is empty.
void conjoin_terms(const Term& a, const Term& b, Dnf& out) {
    Term t = a;
    for (auto& [d, set] : b) {
        auto it = t.find(d);
        if (it == t.end()) {
            t.emplace(d, set);
            continue;
        }
        it->second = intersect(it->second, set);
        if (it->second.empty()) return;
    }
    out.push_back(std::move(t));
}

} // namespace

std::optional<Dnf> conjoin(const Dnf& a, const Dnf& b, size_t max_terms) {
    if (a.size() * b.size() > max_terms * 4) return std::nullopt;
    Dnf out;
    for (auto& x : a)
        for (auto& y : b)
            conjoin_terms(x, y, out);
    if (out.size() > max_terms) return std::nullopt;
    return out;
}

Dnf protocol_is(uint8_t value) {
    return {Term{{Dimension{Field::IpProtocol, -1}, {{value, value}}}}};
}

std::optional<Dnf> to_dnf(const nacl::ir::Expr& e, bool negated, const ConditionContext& ctx) {
    using Kind = nacl::ir::Expr::Kind;
    switch (e.kind) {
    case Kind::Test:
        return test_dnf(e.test, negated, ctx);
    case Kind::Not:
        return to_dnf(e.operands.front(), !negated, ctx);
    case Kind::And:
    case Kind::Or: {
        // De Morgan: a negated And is an Or of negations, and the other way round.
        bool conjunction = (e.kind == Kind::And) != negated;
        Dnf out = conjunction ? Dnf{Term{}} : Dnf{};
        for (auto& operand : e.operands) {
            auto part = to_dnf(operand, negated, ctx);
            if (!part) return std::nullopt;
            if (conjunction) {
                auto next = conjoin(out, *part, ctx.max_terms);
                if (!next) return std::nullopt;
                out = std::move(*next);
            } else {
                out.insert(out.end(), part->begin(), part->end());
                if (out.size() > ctx.max_terms) return std::nullopt;
            }
        }
        return out;
    }
    }
    return std::nullopt;
}

std::optional<std::vector<Box>> to_boxes(const Dnf& dnf, uint32_t rule, const std::vector<Dimension>& dims,
                                         size_t max_boxes) {
    std::vector<Box> out;
    for (const Term& term : dnf) {
        // Per dimension the intervals to combine (the whole domain when unconstrained).
        std::vector<const IntervalSet*> sets;
        std::vector<IntervalSet> full(dims.size());
        size_t count = 1;
        for (size_t i = 0; i < dims.size(); ++i) {
            auto it = term.find(dims[i]);
            if (it == term.end()) {
                full[i] = {{0, dimension_max(dims[i])}};
                sets.push_back(&full[i]);
            } else {
                sets.push_back(&it->second);
            }
            count *= sets.back()->size();
            if (count == 0) break;
            if (out.size() + count > max_boxes) return std::nullopt;
        }
        if (count == 0) continue;
        std::vector<size_t> at(dims.size(), 0);
        for (;;) {
            Box box{rule, {}};
            for (size_t i = 0; i < dims.size(); ++i)
                box.bounds.push_back((*sets[i])[at[i]]);
            out.push_back(std::move(box));
            size_t i = 0;
            while (i < dims.size() && ++at[i] == sets[i]->size())
                at[i++] = 0;
            if (i == dims.size()) break;
        }
    }
    return out;
}

} // namespace codegen
