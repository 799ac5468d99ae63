#pragma once
// How the compiled translation splits a function's flat rules: long runs of rules that end in a verdict
// and whose conditions fit the bounds become one decision table; every other rule stays plain code.

#include "codegen/decision_tree_builder.hpp"
#include "codegen/flatten.hpp"
#include "codegen/value_sets.hpp"

#include <optional>
#include <vector>

namespace codegen {

struct RunOptions {
    uint32_t table_threshold = 24; // as EmitOptions::table_threshold
    size_t max_terms = 64;
    size_t max_boxes_per_rule = 256;
    size_t max_dimensions = 32; // appliance::classifier::max_dimensions
};

struct Segment {
    // A table run (rules.size() >= threshold, every rule has a verdict) or one plain rule.
    bool table = false;
    std::vector<const Rule*> rules;
    std::vector<Dimension> dims; // table: the key, in this order
    std::vector<Box> boxes;      // table: box.rule is the position in `rules`
};

// A rule's guard as a DNF (none when beyond max_terms).
std::optional<Dnf> guard_dnf(const Rule& rule, const ConditionContext& ctx);

std::vector<Segment> plan_segments(const nacl::ir::Program& program, const FlatFunction& flat,
                                   const RunOptions& options);

} // namespace codegen
