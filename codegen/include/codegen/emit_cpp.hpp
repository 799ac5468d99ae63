#pragma once
// IR -> one C++ translation unit: the chain functions, the rule table (RuleInfo), the plain-data
// appliance::Config and `int main() { return appliance::run(config); }`.
//
// Two translations of the rules:
//   compiled (default): each top-level function is flattened into guarded rules; long runs of rules that
//       end in a verdict become one decision-table lookup (appliance/classifier/), the rest plain code;
//   linear (--linear): the statements as written, one `if` per `if`: the reference.
// Both number the action statements the same way, so a Decision's rule means the same in both.
//
// The output is deterministic (same program and options -> same bytes) and names the source location
// of every rule in a comment. With -DHALITE_CHAINS_ONLY it leaves out `main` (test harnesses).

#include "codegen/decision_tree_builder.hpp"
#include "codegen/flatten.hpp"
#include "nacl/ir.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace codegen {

struct EmitOptions {
    bool linear = false;
    // Runs of at least this many rules become a decision table (smaller runs stay plain code). Measured on
    // the fw profile of bench/ruleset (Google Benchmark, round 11 of codegen/docs/classifier.md): the plain
    // ifs win at 20 rules (7.9 vs 14.0 ns per packet) and the table from 30 on (30 rules 16.7 vs 10.2, 40
    // rules 21.2 vs 11.9, 100 rules 33.4 vs 16.6). (128 until round 11, when a table cost 45 ns at 100.)
    uint32_t table_threshold = 24;
    // Set tests with more intervals than this use an interval table instead of inline comparisons.
    uint32_t inline_set_limit = 6;
    // Bounds of the DNF of one rule's condition and of its boxes; a rule beyond them stays plain code.
    size_t max_terms = 64;
    size_t max_boxes_per_rule = 256;
    TreeOptions tree;
    // A table of at least this many bytes also gets a prepare function (appliance::PrepareFunction): the
    // runtime looks it up for a whole received burst, interleaved, before the chain runs per packet. Below
    // it the tables stay in cache and a burst gains nothing (classifier.md, round 8).
    uint64_t prepare_min_bytes = 2048 * 1024;
    // The namespace of the exported symbols (config, function_names, function_entries), so several
    // generated units can be linked into one test program.
    std::string exported_namespace = "halite_generated";
};

struct EmitStats {
    uint32_t rules = 0;       // action instances (the RuleInfo table)
    uint32_t table_rules = 0; // rules looked up through decision tables
    uint32_t tables = 0;
    uint64_t boxes = 0, nodes = 0, items = 0;
    uint32_t plain_rules = 0; // rules emitted as plain code
};

struct EmitResult {
    std::string text;
    std::vector<RuleEntry> rules; // index = Decision::rule
    EmitStats stats;
};

EmitResult emit_cpp(const nacl::ir::Program& program, const EmitOptions& options = {});

} // namespace codegen
