#pragma once
// Rule conditions as sets of values per packet dimension: the form the table builders work on.
//
// A condition (an ir::Expr, possibly negated) becomes a disjunction of terms (DNF); a term constrains
// some dimensions to unions of intervals. A term's cross product of intervals is a list of boxes.
// Every step is bounded: a condition whose DNF or box count would exceed its limit is reported as
// "too large" and the rule is emitted as plain code instead.

#include "nacl/ir.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace codegen {

// One key component of a classifier: a packet field as a uint32, or one bit of the TCP flags (so
// `syn in tcp.flags` is one interval). TCP and UDP ports share a dimension (the RulePacket holds one
// sport and one dport; a test on tcp.dport only runs for TCP packets anyway).
struct Dimension {
    nacl::ir::Field field = nacl::ir::Field::IpSaddr;
    int8_t bit = -1; // >= 0: the TCP flag bit

    auto operator<=>(const Dimension&) const = default;
};

// The dimension of a field test (ports folded onto the TCP ones).
Dimension dimension_of(nacl::ir::Field field);
// The largest value of a dimension (addresses 2^32-1, ifaces 255, a flag bit 1).
uint32_t dimension_max(const Dimension& d);

struct Interval {
    uint32_t low = 0, high = 0; // inclusive
    auto operator<=>(const Interval&) const = default;
};

// Sorted, disjoint, non-adjacent intervals.
using IntervalSet = std::vector<Interval>;

IntervalSet normalise(IntervalSet set);
IntervalSet intersect(const IntervalSet& a, const IntervalSet& b);
IntervalSet complement(const IntervalSet& set, uint32_t max);
bool covers_all(const IntervalSet& set, uint32_t max);

// A conjunction: each listed dimension restricted to its set (unlisted: any value). An entry with an
// empty set makes the term unsatisfiable.
using Term = std::map<Dimension, IntervalSet>;
using Dnf = std::vector<Term>;

// Iface names resolve to their index in the program's interface order.
struct ConditionContext {
    const nacl::ir::Program* program = nullptr;
    size_t max_terms = 64;
};

// The DNF of `expr` (negated when `negated`); none when it would exceed ctx.max_terms terms.
std::optional<Dnf> to_dnf(const nacl::ir::Expr& expr, bool negated, const ConditionContext& ctx);
// The conjunction of two DNFs, bounded the same way.
std::optional<Dnf> conjoin(const Dnf& a, const Dnf& b, size_t max_terms);
// `ip.protocol == value` as a DNF.
Dnf protocol_is(uint8_t value);

// The values a test (not HasFlags) accepts, in dimension_of(test.field).
IntervalSet test_values(const nacl::ir::Test& test, const ConditionContext& ctx);

// The packets a single test accepts (negated: rejects). One term, except a negated test of several
// TCP flag bits (any of them clear).
Dnf test_dnf(const nacl::ir::Test& test, bool negated, const ConditionContext& ctx);

// One box: an interval per dimension of `dims` (in that order).
struct Box {
    uint32_t rule = 0;
    std::vector<Interval> bounds;
};

// The boxes of a DNF over the given dimensions; none when more than max_boxes.
std::optional<std::vector<Box>> to_boxes(const Dnf& dnf, uint32_t rule, const std::vector<Dimension>& dims,
                                         size_t max_boxes);

} // namespace codegen
